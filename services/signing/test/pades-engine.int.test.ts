import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { PdfReader, signatureDictionaries } from '@vanthu/pdf';
import { extendSignedPdf, signPdf } from '../src/pades/pades-engine';
import { verifyPdfSignatures } from '../src/pades/verify-signatures';
import type { PadesLevel } from '../src/pades/pades-engine';
import { planAppearance, defaultAnchors } from '../src/appearance/place-appearance';
import { blueSignaturePng, redSealPng } from './fixtures/images';
import { makeCongVan } from './fixtures/cong-van';
import {
  certPool,
  derLength,
  fontPath,
  infra,
  inkIn,
  padesSettings,
  pdfsig,
  personSigner,
  qpdfCheck,
  render,
  useSealHsm,
} from './support';
import { pyhankoCorpus } from '../../../test/support/corpus';

const corpus = pyhankoCorpus;
const testHsm = useSealHsm('pades', 4);
const { sealSigner } = testHsm;

/**
 * Writes, for openssl, a signature dictionary's CMS (its /Contents without the padding) as `derName` and the bytes
 * its ByteRange covers as `dataName`, both in the test HSM's directory; returns the ByteRange.
 */
function writeSignedParts(
  dict: ReturnType<typeof signatureDictionaries>[number] | undefined,
  bytes: Buffer,
  derName: string,
  dataName: string,
): number[] {
  const range = dict?.value.get('ByteRange') as number[];
  const [a = 0, b = 0, c = 0, d = 0] = range;
  const contents = dict?.contents as Buffer;
  fs.writeFileSync(path.join(testHsm.dir(), derName), contents.subarray(0, derLength(contents)));
  fs.writeFileSync(
    path.join(testHsm.dir(), dataName),
    Buffer.concat([bytes.subarray(a, a + b), bytes.subarray(c, c + d)]),
  );
  return range;
}

async function sealTwice(input: Buffer, level: PadesLevel = 'B-B'): Promise<string> {
  let bytes = input;
  for (let i = 0; i < 2; i += 1) {
    const reader = PdfReader.fromBuffer(bytes);
    bytes = Buffer.concat([
      bytes,
      await signPdf(reader, sealSigner(), { name: 'UBND tỉnh Thử Nghiệm' }, level, padesSettings()),
    ]);
    // Incremental: the earlier bytes are untouched.
    expect(bytes.subarray(0, input.length).equals(input)).toBe(true);
  }
  const file = path.join(testHsm.dir(), `out-${Math.random().toString(36).slice(2)}.pdf`);
  fs.writeFileSync(file, bytes);
  return file;
}

describe('PAdES engine signing with the SoftHSM seal, checked by pdfsig and qpdf', () => {
  it.each([
    ['classic xref table', 'minimal.pdf'],
    ['xref stream', 'minimal-xref.pdf'],
    ['hybrid xref', 'minimal-hybrid-xref.pdf'],
    ['object streams', 'uncompressed-objstream-sample.pdf'],
    ['already signed twice', 'minimal-two-fields-signed-twice.pdf'],
    ['PDF/A and PDF/UA', 'minimal-pdf-ua-and-a.pdf'],
    ['embedded fonts', 'fontembed.pdf'],
  ])('%s (%s): two seals in a row, every signature valid, the last covering the file', async (_shape, name) => {
    const input = fs.readFileSync(path.join(corpus, name));
    const before = pdfsig(path.join(corpus, name)).length;
    const file = await sealTwice(input);
    const sigs = pdfsig(file);
    expect(sigs).toHaveLength(before + 2);
    expect(sigs.every((s) => s.valid)).toBe(true);
    expect(sigs[sigs.length - 1]?.total).toBe(true);
    expect(sigs.slice(0, -1).every((s) => !s.total)).toBe(true);
    expect(qpdfCheck(file)).toMatch(/No syntax or stream encoding errors/);
  });

  it.each([
    ['rsa-pss', 'sha256'],
    ['rsa-pkcs1', 'sha512'],
    ['rsa-pss', 'sha384'],
  ] as const)(
    '%s with %s: valid for pdfsig, and openssl cms verifies the CMS over the signed bytes up to the trusted root',
    async (scheme, hash) => {
      const input = await makeCongVan({ pages: 1 });
      const signer = testHsm.sealSigner(scheme, hash);
      const bytes = Buffer.concat([
        input,
        await signPdf(PdfReader.fromBuffer(input), signer, {}, 'B-B', padesSettings()),
      ]);
      const file = path.join(testHsm.dir(), `${scheme}-${hash}.pdf`);
      fs.writeFileSync(file, bytes);
      const sig = pdfsig(file)[0];
      expect(sig?.valid).toBe(true);
      const reader = PdfReader.fromBuffer(bytes);
      writeSignedParts(signatureDictionaries(reader)[0], bytes, 'cms.der', 'signed.bin');
      const out = execFileSync(
        'openssl',
        [
          'cms',
          '-verify',
          '-binary',
          '-inform',
          'DER',
          '-in',
          path.join(testHsm.dir(), 'cms.der'),
          '-content',
          path.join(testHsm.dir(), 'signed.bin'),
          '-CAfile',
          infra.pki.chainPem,
          '-purpose',
          'any',
          '-out',
          '/dev/null',
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      );
      expect(out).toBe('');
    },
  );

  it('signs a linearized file', async () => {
    const src = path.join(testHsm.dir(), 'lin-src.pdf');
    fs.writeFileSync(src, await makeCongVan({ pages: 3 }));
    const lin = path.join(testHsm.dir(), 'lin.pdf');
    execFileSync('qpdf', ['--linearize', src, lin]);
    const file = await sealTwice(fs.readFileSync(lin));
    const sigs = pdfsig(file);
    expect(sigs.map((s) => s.valid)).toEqual([true, true]);
    expect(qpdfCheck(file)).toMatch(/No syntax or stream encoding errors/);
  });

  it('refuses an encrypted PDF with a clear reason', async () => {
    const reader = PdfReader.fromBuffer(fs.readFileSync(path.join(corpus, 'minimal-aes256.pdf')));
    await expect(signPdf(reader, sealSigner(), {}, 'B-B', padesSettings())).rejects.toThrow(/encrypted/);
  });

  it.each(['B-T', 'B-LT', 'B-LTA'] as PadesLevel[])(
    '%s: time-stamp token, DSS with OCSP and CRLs, document time-stamp verified by openssl',
    async (level) => {
      const input = await makeCongVan({ pages: 1 });
      const reader = PdfReader.fromBuffer(input);
      const bytes = Buffer.concat([input, await signPdf(reader, sealSigner(), {}, level, padesSettings())]);
      const file = path.join(testHsm.dir(), `${level}.pdf`);
      fs.writeFileSync(file, bytes);
      const sigs = pdfsig(file);
      expect(sigs[0]?.valid).toBe(true);
      expect(qpdfCheck(file)).toMatch(/No syntax or stream encoding errors/);
      const out = PdfReader.fromBuffer(bytes);
      const dicts = signatureDictionaries(out);
      // The CMS carries a signature time-stamp token (unsigned attribute id-aa-signatureTimeStampToken).
      const cmsFile = path.join(testHsm.dir(), `${level}.p7s`);
      fs.writeFileSync(cmsFile, dicts[0]?.contents as Buffer);
      const printed = execFileSync('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', cmsFile], {
        encoding: 'utf8',
      });
      expect(printed).toMatch(/id-smime-aa-timeStampToken/);
      const dss = out.resolveDict(out.catalog().get('DSS'));
      if (level === 'B-T') {
        expect(dss).toBeUndefined();
        return;
      }
      expect(dss).toBeDefined();
      const ocsps = out.resolve(dss?.get('OCSPs')) as unknown[];
      const crls = out.resolve(dss?.get('CRLs')) as unknown[];
      expect(ocsps.length).toBeGreaterThan(0);
      expect(crls.length).toBeGreaterThan(0);
      expect(out.resolveDict(dss?.get('VRI'))?.map.size).toBe(1);
      if (level === 'B-LTA') {
        const ts = dicts.find((d) => d.value.get('SubFilter')?.toString() === '/ETSI.RFC3161');
        expect(ts).toBeDefined();
        const [, , c = 0, d = 0] = writeSignedParts(ts, bytes, 'ts.der', 'ts.data');
        expect(c + d).toBe(bytes.length);
        // openssl ts -verify: the document time-stamp covers the whole file up to its own /Contents.
        const verified = execFileSync(
          'openssl',
          [
            'ts',
            '-verify',
            '-token_in',
            '-in',
            path.join(testHsm.dir(), 'ts.der'),
            '-data',
            path.join(testHsm.dir(), 'ts.data'),
            '-CAfile',
            infra.pki.chainPem,
          ],
          { encoding: 'utf8' },
        );
        expect(verified).toMatch(/Verification: OK/);
      }
    },
  );
});

describe('extending signatures made elsewhere', () => {
  it('a file signed twice by pyHanko-era tooling at B-B is extended to B-LTA: DSS with a VRI per signature, earlier signatures still valid', async () => {
    const input = await makeCongVan({ pages: 1 });
    const signed = Buffer.concat([
      input,
      await signPdf(PdfReader.fromBuffer(input), personSigner('tran-thi-binh'), {}, 'B-B', padesSettings()),
    ]);
    const reader = PdfReader.fromBuffer(signed);
    const items = verifyPdfSignatures(reader).map((v, i) => ({
      contents: signatureDictionaries(reader)[i]?.contents as Buffer,
      chain: [v.certificate as NonNullable<typeof v.certificate>, ...certPool()],
    }));
    const extended = Buffer.concat([signed, await extendSignedPdf(reader, items, 'B-LTA', padesSettings(), 'sha256')]);
    expect(extended.subarray(0, signed.length).equals(signed)).toBe(true);
    const file = path.join(testHsm.dir(), 'extended.pdf');
    fs.writeFileSync(file, extended);
    const sigs = pdfsig(file);
    expect(sigs[0]?.valid).toBe(true);
    expect(sigs[1]?.type).toBe('unknown'); // poppler does not verify ETSI.RFC3161 document time-stamps
    qpdfCheck(file);
    const out = PdfReader.fromBuffer(extended);
    const dss = out.resolveDict(out.catalog().get('DSS'));
    expect(out.resolveDict(dss?.get('VRI'))?.map.size).toBe(1);
  });
});

describe('NĐ 30 appearances on a Vietnamese công văn', () => {
  it('two initials, the approval and the seal: valid, blue ink in the approval box, red seal over its left third', async () => {
    let bytes = await makeCongVan({ pages: 3 });
    const settings = padesSettings();
    const sign = async (signer: ReturnType<typeof personSigner>, request: Parameters<typeof planAppearance>[1]) => {
      const plan = await planAppearance(bytes, request, fontPath);
      bytes = Buffer.concat([
        bytes,
        await signPdf(PdfReader.fromBuffer(bytes), signer, {}, 'B-B', settings, plan.builder),
      ]);
      return plan.rect;
    };
    const now = new Date('2026-11-20T03:04:05Z');
    await sign(personSigner('le-hoang-cuong'), {
      kind: 'initial',
      step: 'content',
      signerName: 'Lê Hoàng Cường',
      time: now,
      anchors: defaultAnchors,
      image: blueSignaturePng(),
      imageSize: { width: 300, height: 120 },
    });
    await sign(personSigner('tran-thi-binh'), {
      kind: 'initial',
      step: 'format',
      signerName: 'Trần Thị Bình',
      time: now,
      anchors: defaultAnchors,
    });
    const approval = await sign(personSigner('nguyen-van-an'), {
      kind: 'approval',
      image: blueSignaturePng(),
      imageSize: { width: 300, height: 120 },
      signerName: 'Nguyễn Văn An',
      positionText: 'CHỦ TỊCH',
    });
    const sealRect = await sign(sealSigner(), {
      kind: 'issue',
      image: redSealPng(),
      imageSize: { width: 400, height: 400 },
      widthMm: 36,
      approvalRect: approval,
    });
    const file = path.join(testHsm.dir(), 'cong-van-signed.pdf');
    fs.writeFileSync(file, bytes);
    const sigs = pdfsig(file);
    expect(sigs).toHaveLength(4);
    expect(sigs.every((s) => s.valid)).toBe(true);
    expect(sigs[3]?.total).toBe(true);
    qpdfCheck(file);
    expect(approval.page).toBe(2);
    const png = render(file, 3);
    const pageHeight = 841.89;
    const rightTwoThirds = {
      x: approval.x + approval.width / 3 + 2,
      y: approval.y,
      width: (approval.width * 2) / 3 - 2,
      height: approval.height,
    };
    expect(inkIn(png, pageHeight, rightTwoThirds).blue).toBeGreaterThan(50);
    const leftThird = { x: approval.x, y: approval.y, width: approval.width / 3, height: approval.height };
    expect(inkIn(png, pageHeight, leftThird).red).toBeGreaterThan(50);
    expect(sealRect.x + sealRect.width).toBeCloseTo(approval.x + approval.width / 3, 3);
    // The initials' Vietnamese text extracts exactly (embedded Unicode subset font).
    const text = execFileSync('pdftotext', ['-f', '3', '-l', '3', file, '-'], { encoding: 'utf8' }).normalize('NFC');
    expect(text).toContain('Lê Hoàng Cường');
    expect(text).toContain('Trần Thị Bình');
  });

  it('copy and digitisation: text "SAO Y, agency, time" and the red seal at real size, both top right of page 1', async () => {
    const input = await makeCongVan({ pages: 1 });
    const copyText = 'SAO Y, Ủy ban nhân dân tỉnh Thử Nghiệm, 2026-11-20T10:04:05+07:00';
    const copy = await planAppearance(input, { kind: 'copy', text: copyText }, fontPath);
    const copied = Buffer.concat([
      input,
      await signPdf(PdfReader.fromBuffer(input), sealSigner(), {}, 'B-B', padesSettings(), copy.builder),
    ]);
    fs.writeFileSync(path.join(testHsm.dir(), 'copy.pdf'), copied);
    expect(pdfsig(path.join(testHsm.dir(), 'copy.pdf'))[0]?.valid).toBe(true);
    const text = execFileSync(
      'pdftotext',
      [
        '-x',
        String(Math.floor(copy.rect.x)),
        '-y',
        '0',
        '-W',
        '600',
        '-H',
        '60',
        path.join(testHsm.dir(), 'copy.pdf'),
        '-',
      ],
      { encoding: 'utf8' },
    ).normalize('NFC');
    expect(text).toContain(copyText);
    const digit = await planAppearance(
      input,
      { kind: 'digitisation', image: redSealPng(), imageSize: { width: 400, height: 400 }, widthMm: 36 },
      fontPath,
    );
    const digitised = Buffer.concat([
      input,
      await signPdf(PdfReader.fromBuffer(input), sealSigner(), {}, 'B-B', padesSettings(), digit.builder),
    ]);
    fs.writeFileSync(path.join(testHsm.dir(), 'digit.pdf'), digitised);
    expect(pdfsig(path.join(testHsm.dir(), 'digit.pdf'))[0]?.valid).toBe(true);
    expect(digit.rect.width).toBeCloseTo((36 * 72) / 25.4, 3);
    expect(inkIn(render(path.join(testHsm.dir(), 'digit.pdf'), 1), 841.89, digit.rect).red).toBeGreaterThan(200);
  });

  it('attachment signature: notation and ISO 8601 +07:00 time at the top right of page 1, no image', async () => {
    const input = await makeCongVan({ pages: 1 });
    const textLine = '15/UBND-KGVX, 2026-11-20T10:04:05+07:00';
    const plan = await planAppearance(input, { kind: 'attachment', text: textLine }, fontPath);
    const bytes = Buffer.concat([
      input,
      await signPdf(PdfReader.fromBuffer(input), sealSigner(), {}, 'B-B', padesSettings(), plan.builder),
    ]);
    const file = path.join(testHsm.dir(), 'attachment.pdf');
    fs.writeFileSync(file, bytes);
    expect(pdfsig(file)[0]?.valid).toBe(true);
    expect(plan.rect.y).toBeGreaterThan(841.89 - 80);
    expect(plan.rect.x + plan.rect.width).toBeGreaterThan(595.28 - 80);
    const text = execFileSync(
      'pdftotext',
      ['-x', String(Math.floor(plan.rect.x)), '-y', '0', '-W', '600', '-H', '60', file, '-'],
      { encoding: 'utf8' },
    );
    expect(text).toContain(textLine);
  });
});
