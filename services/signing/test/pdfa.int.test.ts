import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { PdfReader, signatureDictionaries } from '@vanthu/pdf';
import { validatePdfa } from '../../../infra/src/verapdf';
import { extendSignedPdf, signPdf } from '../src/pades/pades-engine';
import { verifyPdfSignatures } from '../src/pades/verify-signatures';
import { planAppearance } from '../src/appearance/place-appearance';
import { certPool, fontPath, infra, padesSettings, pdfsig, personSigner, qpdfCheck, useSealHsm } from './support';

// Agencies archive PDF/A. Signing must keep a PDF/A-2b document PDF/A-2b, which veraPDF, the
// reference validator, checks independently after every signature and extension.
const testHsm = useSealHsm('pdfa', 2);
const { sealSigner } = testHsm;

/** A PDF/A-2b công văn made the way agencies make them: exported from a word processor (LibreOffice). */
function makePdfa2b(): Buffer {
  const text = path.join(testHsm.dir(), 'cong-van.txt');
  fs.writeFileSync(
    text,
    'ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM\nSố: 15/UBND-KGVX\nVề việc triển khai chữ ký số chuyên dùng công vụ\n\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n',
  );
  execFileSync(
    'soffice',
    [
      '--headless',
      `-env:UserInstallation=file://${testHsm.dir()}/profile`,
      '--convert-to',
      'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}',
      '--outdir',
      testHsm.dir(),
      text,
    ],
    {
      stdio: 'ignore',
      timeout: 120_000,
    },
  );
  return fs.readFileSync(path.join(testHsm.dir(), 'cong-van.pdf'));
}

it('keeps a PDF/A-2b document PDF/A-2b through a seal with appearance at B-LT, a second signature and an extension to B-LTA', async () => {
  const input = makePdfa2b();
  const check = async (bytes: Buffer, name: string): Promise<string> => {
    const file = path.join(testHsm.dir(), name);
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
