import fs from 'node:fs';
import path from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toArrayBuffer } from '../src/x509/der-reader';
import { isSelfIssued, toCert } from '../src/x509/certificate';
import type { Cert } from '../src/x509/certificate';
import { validatePdf } from '../src/validation/validate-pdf';
import { validationOptions } from './fixtures/validation-support';
import { pyhankoCorpus } from '../../../test/support/corpus';

// Every file of the pyHanko corpus (test/support/corpus.ts says where it is found) with a deliberate outcome.
// pyHanko's test certificates are not ours: like an integrator testing their own PKI, each
// file's own self-signed certificates are supplied as per-request trust anchors; validation is
// offline, as of 2020-12-01 (inside those certificates' validity). Their B-B signatures carry no
// revocation data, so offline they are INDETERMINATE/TRY_LATER at best, unless something worse
// is found first.
const corpus = pyhankoCorpus;
type Row = [file: string, verdict: string, subIndication: string | null];

/** Unreadable for a strict reader (no xref reconstruction, by design: files that parsers read
 * differently are what the collision attacks exploit), or hostile structure (page-tree loop). */
const unreadable: Row[] = [
  ['broken-objstream1.pdf', 'TOTAL_FAILED', 'FORMAT_FAILURE'],
  ['broken-objstream2.pdf', 'TOTAL_FAILED', 'FORMAT_FAILURE'],
  ['broken-objstream3.pdf', 'TOTAL_FAILED', 'FORMAT_FAILURE'],
  ['broken-objstream4.pdf', 'TOTAL_FAILED', 'FORMAT_FAILURE'],
  ['broken-objstream6.pdf', 'TOTAL_FAILED', 'FORMAT_FAILURE'],
  ['circular-page-tree.pdf', 'TOTAL_FAILED', 'FORMAT_FAILURE'],
  ['minimal-annotless.pdf', 'TOTAL_FAILED', 'FORMAT_FAILURE'],
  ['minimal-illegal-header.pdf', 'TOTAL_FAILED', 'FORMAT_FAILURE'],
  ['minimal-startxref-hopeless.pdf', 'TOTAL_FAILED', 'FORMAT_FAILURE'],
  ['minimal-startxref-hopeless3.pdf', 'TOTAL_FAILED', 'FORMAT_FAILURE'],
  ['minimal-startxref-obo2.pdf', 'TOTAL_FAILED', 'FORMAT_FAILURE'],
  ['minimal-startxref-obo4.pdf', 'TOTAL_FAILED', 'FORMAT_FAILURE'],
  ['minimal-startxref-obo5.pdf', 'TOTAL_FAILED', 'FORMAT_FAILURE'],
  ['minimal-startxref-obo6.pdf', 'TOTAL_FAILED', 'FORMAT_FAILURE'],
  ['page-tree-direct-kid.pdf', 'TOTAL_FAILED', 'FORMAT_FAILURE'],
];

/** Readable, no signature (encrypted ones included): INDETERMINATE, "the document has no signature". */
const unsigned: Row[] = [
  ['broken-objstream5.pdf', 'INDETERMINATE', null],
  ['embedded-encrypted-nocf.pdf', 'INDETERMINATE', null],
  ['empty-a4.pdf', 'INDETERMINATE', null],
  ['fontembed.pdf', 'INDETERMINATE', null],
  ['form-tree-circular-ref-input.pdf', 'INDETERMINATE', null],
  ['info-bin-producer-string.pdf', 'INDETERMINATE', null],
  ['layout-tests/arabic-box.pdf', 'INDETERMINATE', null],
  ['layout-tests/bitmap-bg.pdf', 'INDETERMINATE', null],
  ['layout-tests/code128-test.pdf', 'INDETERMINATE', null],
  ['layout-tests/default-font.pdf', 'INDETERMINATE', null],
  ['layout-tests/double-newline.pdf', 'INDETERMINATE', null],
  ['layout-tests/fancy-qr-stamp-test.pdf', 'INDETERMINATE', null],
  ['layout-tests/form-fill-result.pdf', 'INDETERMINATE', null],
  ['layout-tests/four-stamps-fixed.pdf', 'INDETERMINATE', null],
  ['layout-tests/four-stamps-natural.pdf', 'INDETERMINATE', null],
  ['layout-tests/ja-vert-stamps.pdf', 'INDETERMINATE', null],
  ['layout-tests/leaky-graphics-state-stamp-no-corr-result.pdf', 'INDETERMINATE', null],
  ['layout-tests/leaky-graphics-state-stamp-result.pdf', 'INDETERMINATE', null],
  ['layout-tests/multiline-textbox-nondefault-fs.pdf', 'INDETERMINATE', null],
  ['layout-tests/scaled-bitmap-bg.pdf', 'INDETERMINATE', null],
  ['layout-tests/source-serif-test.pdf', 'INDETERMINATE', null],
  ['layout-tests/stamp-from-static-pdf.pdf', 'INDETERMINATE', null],
  ['layout-tests/stamp-on-pdf-bg.pdf', 'INDETERMINATE', null],
  ['layout-tests/text-stamp-color.pdf', 'INDETERMINATE', null],
  ['layout-tests/undef-bg-size.pdf', 'INDETERMINATE', null],
  ['leaky-graphics-state-doc.pdf', 'INDETERMINATE', null],
  ['malformed-encrypt-dict1.pdf', 'INDETERMINATE', null],
  ['malformed-encrypt-dict2.pdf', 'INDETERMINATE', null],
  ['malformed-xref-space-padded.pdf', 'INDETERMINATE', null],
  ['minimal-aes256-empty-encrypted-string.pdf', 'INDETERMINATE', null],
  ['minimal-aes256-malformed-oe.pdf', 'INDETERMINATE', null],
  ['minimal-aes256-malformed-perms.pdf', 'INDETERMINATE', null],
  ['minimal-aes256.pdf', 'INDETERMINATE', null],
  ['minimal-badxref.pdf', 'INDETERMINATE', null],
  ['minimal-broken-xref-size.pdf', 'INDETERMINATE', null],
  ['minimal-hybrid-xref-mswordstyle.pdf', 'INDETERMINATE', null],
  ['minimal-hybrid-xref-weirdgen.pdf', 'INDETERMINATE', null],
  ['minimal-hybrid-xref.pdf', 'INDETERMINATE', null],
  ['minimal-one-field-indir-annots.pdf', 'INDETERMINATE', null],
  ['minimal-pdf-ua-and-a.pdf', 'INDETERMINATE', null],
  ['minimal-pubkey-aes256.pdf', 'INDETERMINATE', null],
  ['minimal-pubkey-rc4-envelope.pdf', 'INDETERMINATE', null],
  ['minimal-pubkey-rc4.pdf', 'INDETERMINATE', null],
  ['minimal-pubkey-unknown-envelope-alg.pdf', 'INDETERMINATE', null],
  ['minimal-rc4.pdf', 'INDETERMINATE', null],
  ['minimal-startxref-hopeless2.pdf', 'INDETERMINATE', null],
  ['minimal-startxref-obo1.pdf', 'INDETERMINATE', null],
  ['minimal-startxref-obo3.pdf', 'INDETERMINATE', null],
  ['minimal-startxref-same-line.pdf', 'INDETERMINATE', null],
  ['minimal-two-fields-aes256.pdf', 'INDETERMINATE', null],
  ['minimal-two-fields-pubkey-aes256.pdf', 'INDETERMINATE', null],
  ['minimal-two-fields-pubkey-rc4.pdf', 'INDETERMINATE', null],
  ['minimal-two-fields-tagged.pdf', 'INDETERMINATE', null],
  ['minimal-two-fields.pdf', 'INDETERMINATE', null],
  ['minimal-two-pages.pdf', 'INDETERMINATE', null],
  ['minimal-with-field-aes256.pdf', 'INDETERMINATE', null],
  ['minimal-with-field-pubkey-aes256.pdf', 'INDETERMINATE', null],
  ['minimal-with-field-pubkey-rc4.pdf', 'INDETERMINATE', null],
  ['minimal-with-field-rc4.pdf', 'INDETERMINATE', null],
  ['minimal-with-field-tagged.pdf', 'INDETERMINATE', null],
  ['minimal-with-field.pdf', 'INDETERMINATE', null],
  ['minimal-with-nonexistent-refs.pdf', 'INDETERMINATE', null],
  ['minimal-with-orphaned-xrefs.pdf', 'INDETERMINATE', null],
  ['minimal-with-simple-form.pdf', 'INDETERMINATE', null],
  ['minimal-with-textfield-group-var.pdf', 'INDETERMINATE', null],
  ['minimal-with-textfield-group.pdf', 'INDETERMINATE', null],
  ['minimal-xref.pdf', 'INDETERMINATE', null],
  ['minimal.pdf', 'INDETERMINATE', null],
  ['no-mediabox.pdf', 'INDETERMINATE', null],
  ['pdf-background-test.pdf', 'INDETERMINATE', null],
  ['pubkey-3des-test.pdf', 'INDETERMINATE', null],
  ['pubkey-ecc-test.pdf', 'INDETERMINATE', null],
  ['pubkey-rc2-test.pdf', 'INDETERMINATE', null],
  ['safedocs/CompactedPDFSyntaxTest.pdf', 'INDETERMINATE', null],
  ['scribble-decomp.pdf', 'INDETERMINATE', null],
  ['scribble-in-arr.pdf', 'INDETERMINATE', null],
  ['scribble.pdf', 'INDETERMINATE', null],
  ['simple-acroform-states-ap-indirect.pdf', 'INDETERMINATE', null],
  ['simple-acroform-states.pdf', 'INDETERMINATE', null],
  ['struct-tree-circular-ref.pdf', 'INDETERMINATE', null],
  ['uncompressed-objstream-sample.pdf', 'INDETERMINATE', null],
];

/** pyHanko's coverage anomalies: the ByteRange rules of docs/domain/signing.md ("Attacks on PDF signatures") fail closed. */
const coverage: Row[] = [
  ['coverage-anomalies/base.pdf', 'TOTAL_FAILED', 'FORMAT_FAILURE'],
  ['coverage-anomalies/one-byterange.pdf', 'TOTAL_FAILED', 'FORMAT_FAILURE'],
  ['coverage-anomalies/signature-gap-too-big.pdf', 'TOTAL_FAILED', 'FORMAT_FAILURE'],
  ['coverage-anomalies/tail-uncovered.pdf', 'TOTAL_FAILED', 'FORMAT_FAILURE'],
  ['coverage-anomalies/weird-byterange.pdf', 'TOTAL_FAILED', 'FORMAT_FAILURE'],
];

/** CMS breaking PAdES rules: Ed448 without SHAKE256, SHAKE256 itself (unsupported), embedded content, no signed attributes. */
const badCms: Row[] = [
  ['ed448-disallowed-hash.pdf', 'TOTAL_FAILED', 'FORMAT_FAILURE'],
  ['ed448-shake256-nolen.pdf', 'TOTAL_FAILED', 'FORMAT_FAILURE'],
  ['pdf-sig-with-econtent.pdf', 'TOTAL_FAILED', 'FORMAT_FAILURE'],
  ['sig-no-signed-attrs.pdf', 'TOTAL_FAILED', 'FORMAT_FAILURE'],
];

/** Signed by pyHanko: B-B signatures are TRY_LATER offline; the LTA files carry their own
 * revocation data and pass; files whose later revisions only add signatures pass. */
const signed: Row[] = [
  ['certified-with-indirect-refs-in-dir.pdf', 'INDETERMINATE', 'TRY_LATER'],
  ['extensions-direct.pdf', 'INDETERMINATE', 'TRY_LATER'],
  ['extensions-indirect-not-all-paths.pdf', 'INDETERMINATE', 'TRY_LATER'],
  ['extensions-indirect.pdf', 'INDETERMINATE', 'TRY_LATER'],
  ['extensions-update-direct.pdf', 'INDETERMINATE', 'TRY_LATER'],
  ['extensions-update-indirect.pdf', 'INDETERMINATE', 'TRY_LATER'],
  ['form-update-ap-indirect-sneaky-trailer.pdf', 'INDETERMINATE', 'TRY_LATER'],
  ['form-update-no-override-appearance-stream-ap-indirect-sneaky.pdf', 'INDETERMINATE', 'TRY_LATER'],
  ['form-update-no-override-appearance-stream-ap-indirect.pdf', 'INDETERMINATE', 'TRY_LATER'],
  ['form-update-original-ap-type-wrong.pdf', 'INDETERMINATE', 'TRY_LATER'],
  ['form-update-override-appearance-stream-ap-indirect-sneaky.pdf', 'INDETERMINATE', 'TRY_LATER'],
  ['form-update-override-appearance-stream-ap-indirect.pdf', 'INDETERMINATE', 'TRY_LATER'],
  ['form-update-override-appearance-stream-sneaky.pdf', 'INDETERMINATE', 'TRY_LATER'],
  ['form-update-override-appearance-stream.pdf', 'INDETERMINATE', 'TRY_LATER'],
  ['minimal-signed-twice-both-created.pdf', 'TOTAL_PASSED', null],
  ['minimal-signed-twice-no-sig-type.pdf', 'INDETERMINATE', 'TRY_LATER'],
  ['minimal-signed-twice-second-created.pdf', 'TOTAL_PASSED', null],
  ['minimal-two-fields-signed-twice.pdf', 'TOTAL_PASSED', null],
  ['pades-lta-dss-indirect-arrs-test-2.pdf', 'TOTAL_PASSED', null],
  ['pades-lta-dss-indirect-arrs-test.pdf', 'TOTAL_PASSED', null],
  ['pades-with-old-style-signing-cert-attr-issser.pdf', 'INDETERMINATE', 'TRY_LATER'],
  ['pades-with-old-style-signing-cert-attr.pdf', 'INDETERMINATE', 'TRY_LATER'],
  ['separate-annots-kids-indir.pdf', 'INDETERMINATE', 'TRY_LATER'],
  ['sig-with-ski-sid.pdf', 'INDETERMINATE', 'TRY_LATER'],
  ['signed-encrypted-pubkey-with-catalog-ref.pdf', 'INDETERMINATE', 'TRY_LATER'],
];

/** Whether Sig1 reports a change it does not permit. The form-update files fill Sig2 in the next
 * revision: where the new appearance redefines a stream something else also shows (/FooBar in
 * the catalog), the change is not permitted; where no object of the signed revision is altered
 * (the old appearance stays, unused by the field), it is. */
const sig1ChangesRejected: Record<string, boolean> = {
  'form-update-override-appearance-stream.pdf': false,
  'form-update-override-appearance-stream-sneaky.pdf': true,
  'form-update-override-appearance-stream-ap-indirect.pdf': false,
  'form-update-override-appearance-stream-ap-indirect-sneaky.pdf': true,
  'form-update-no-override-appearance-stream-ap-indirect.pdf': false,
  'form-update-no-override-appearance-stream-ap-indirect-sneaky.pdf': false,
  'form-update-ap-indirect-sneaky-trailer.pdf': false,
  'form-update-original-ap-type-wrong.pdf': false,
  'extensions-update-indirect.pdf': false,
  'minimal-signed-twice-second-created.pdf': false,
  'separate-annots-kids-indir.pdf': false,
};

const files = (dir: string): string[] =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? files(path.join(dir, e.name))
        : e.name.endsWith('.pdf')
          ? [path.relative(corpus, path.join(dir, e.name))]
          : [],
    );

/** Self-signed certificates inside the file's CMS containers (the file's own root). */
function ownRoots(bytes: Buffer): Cert[] {
  const out: Cert[] = [];
  for (const m of bytes.toString('latin1').matchAll(/\/Contents\s*<([0-9a-fA-F]+)>/g)) {
    try {
      const der = Buffer.from(m[1] ?? '', 'hex');
      const signedData = new pkijs.SignedData({
        schema: new pkijs.ContentInfo({ schema: asn1js.fromBER(toArrayBuffer(der)).result }).content,
      });
      for (const c of signedData.certificates ?? []) {
        if (!(c instanceof pkijs.Certificate)) continue;
        const cert = toCert(Buffer.from(c.toSchema().toBER(false)));
        if (isSelfIssued(cert)) out.push(cert);
      }
    } catch {
      // not a CMS: nothing to trust
    }
  }
  return out;
}

const options = (bytes: Buffer): ReturnType<typeof validationOptions> =>
  validationOptions({
    validationTime: new Date('2020-12-01T00:00:00Z'),
    trust: { anchors: ownRoots(bytes), intermediates: [] },
    revocation: { mode: 'offline', timeoutMs: 1000, cacheSeconds: 0 },
  });

describe('the pyHanko corpus: every file has a deliberate outcome, none crashes or hangs', () => {
  const all = [...unreadable, ...unsigned, ...coverage, ...badCms, ...signed];

  it('the table covers every file of the corpus exactly once', () => {
    expect(all.map((r) => r[0]).sort()).toEqual(files(corpus).sort());
  });

  it.each(all)('%s → %s / %s', async (file, verdict, subIndication) => {
    const bytes = fs.readFileSync(path.join(corpus, file));
    const started = Date.now();
    const report = await validatePdf(bytes, options(bytes));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect([report.verdict, report.verdictSubIndication]).toEqual([verdict, subIndication]);
    if (file in sig1ChangesRejected)
      expect(report.signatures[0]?.changesAfter.some((c) => !c.allowed)).toBe(sig1ChangesRejected[file]);
  });

  it('unsigned files say so; coverage anomalies fail on the signature itself', async () => {
    for (const [file] of unsigned.slice(0, 5)) {
      const bytes = fs.readFileSync(path.join(corpus, file));
      expect((await validatePdf(bytes, options(bytes))).verdictReason).toBe('the document has no signature');
    }
    for (const [file] of coverage) {
      const bytes = fs.readFileSync(path.join(corpus, file));
      expect((await validatePdf(bytes, options(bytes))).signatures[0]).toMatchObject({
        indication: 'TOTAL_FAILED',
        subIndication: 'FORMAT_FAILURE',
      });
    }
  });
});
