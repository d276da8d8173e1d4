import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { PdfReader, signatureDictionaries } from '@vanthu/pdf';
import { validatePdfa } from '../../../infra/src/verapdf';
import { HsmConnection, readPin } from '../src/hsm/hsm-connection';
import { parseCertificate, pemToDers } from '../src/pades/cms';
import { extendSignedPdf, signPdf } from '../src/pades/pades-engine';
import { hsmSigner } from '../src/pades/signer';
import { verifyPdfSignatures } from '../src/pades/verify-signatures';
import { planAppearance } from '../src/appearance/place-appearance';
import { certPool, fontPath, infra, padesSettings, pdfsig, personSigner, qpdfCheck } from './support';

// Agencies archive PDF/A. Signing must keep a PDF/A-2b document PDF/A-2b, which veraPDF, the
// reference validator, checks independently after every signature and extension.
let hsm: HsmConnection;
let dir: string;
const seal = infra.hsm.seals[0] as { agencyCode: string; keyIdHex: string; certPath: string };
const sealSigner = () =>
  hsmSigner(
    hsm,
    seal.keyIdHex,
    parseCertificate(pemToDers(fs.readFileSync(seal.certPath, 'utf8'))[0] as Buffer),
    certPool().slice(0, 1),
    'rsa-pkcs1',
    'sha256',
  );

beforeAll(() => {
  hsm = new HsmConnection({
    modulePath: infra.hsm.modulePath,
    tokenLabel: infra.hsm.tokenLabel,
    pin: readPin(infra.hsm.pinFile),
    poolSize: 2,
  });
  hsm.open();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdfa-'));
});
afterAll(() => {
  hsm.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A PDF/A-2b công văn made the way agencies make them: exported from a word processor (LibreOffice). */
function makePdfa2b(): Buffer {
  const text = path.join(dir, 'cong-van.txt');
  fs.writeFileSync(
    text,
    'ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM\nSố: 15/UBND-KGVX\nVề việc triển khai chữ ký số chuyên dùng công vụ\n\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n',
  );
  execFileSync(
    'soffice',
    [
      '--headless',
      `-env:UserInstallation=file://${dir}/profile`,
      '--convert-to',
      'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}',
      '--outdir',
      dir,
      text,
    ],
    {
      stdio: 'ignore',
      timeout: 120_000,
    },
  );
  return fs.readFileSync(path.join(dir, 'cong-van.pdf'));
}

it('keeps a PDF/A-2b document PDF/A-2b through a seal with appearance at B-LT, a second signature and an extension to B-LTA', async () => {
  const input = makePdfa2b();
  const check = async (bytes: Buffer, name: string): Promise<string> => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    const verdict = await validatePdfa(infra.veraPdfLibDir, file, '2b');
    if (!verdict.compliant) throw new Error(`${name} is not PDF/A-2b:\n${verdict.report}`);
    return file;
  };
  await check(input, 'input.pdf');

  const plan = await planAppearance(
    input,
    { kind: 'attachment', text: '15/UBND-KGVX, 2026-11-20T10:04:05+07:00' },
    fontPath,
  );
  let bytes = Buffer.concat([
    input,
    await signPdf(PdfReader.fromBuffer(input), sealSigner(), {}, 'B-LT', padesSettings(), plan.builder),
  ]);
  await check(bytes, 'sealed-lt.pdf');
  bytes = Buffer.concat([
    bytes,
    await signPdf(PdfReader.fromBuffer(bytes), personSigner('nguyen-van-an'), {}, 'B-B', padesSettings()),
  ]);
  await check(bytes, 'two-signatures.pdf');
  const reader = PdfReader.fromBuffer(bytes);
  const items = verifyPdfSignatures(reader).map((v, i) => ({
    contents: signatureDictionaries(reader)[i]?.contents as Buffer,
    chain: [v.certificate as NonNullable<typeof v.certificate>, ...certPool()],
  }));
  bytes = Buffer.concat([bytes, await extendSignedPdf(reader, items, 'B-LTA', padesSettings(), 'sha256')]);
  const final = await check(bytes, 'extended-lta.pdf');

  expect(qpdfCheck(final)).toMatch(/No syntax or stream encoding errors/);
  // poppler does not verify ETSI.RFC3161 document time-stamps (type "unknown"); the two signatures it must.
  const signatures = pdfsig(final).filter((s) => s.type !== 'unknown');
  expect(signatures).toHaveLength(2);
  for (const signature of signatures) expect(signature.valid).toBe(true);
});
