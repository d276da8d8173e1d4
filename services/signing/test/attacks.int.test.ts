import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validatePdf } from '../src/validation/validate-pdf';
import type { ValidationReport } from '../src/validation/report';
import {
  ambiguousHybridXref,
  cmsConfusion,
  duplicateObjectNumbers,
  evilAnnotation,
  incrementalSaving,
  pagesChanged,
  shadow,
  signatureWrapping,
  sneakySignature,
  spoofedSignatureDictionary,
  universalSignatureForgery,
} from './fixtures/attacks/generators';
import type { AttackCase } from './fixtures/attacks/generators';
import { validationOptions } from './fixtures/validation-support';
import { pdfsig, qpdfCheck } from './support';

/** poppler's pdfsig on the attacked file: "valid" shows the attack is real (a viewer-grade check is fooled). */
function popplerSaysValid(bytes: Buffer): boolean {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attack-')), 'attacked.pdf');
  fs.writeFileSync(file, bytes);
  qpdfCheck(file);
  return pdfsig(file)[0]?.valid === true;
}

const validate = (bytes: Buffer): Promise<ValidationReport> => validatePdf(bytes, validationOptions());

/** The untouched original passes; the manipulated file does not, and fails with the expected class. */
async function expectCaught(
  c: AttackCase,
  expected: { indication: string; subIndication: string },
  on: 'any' | 'first' = 'any',
): Promise<ValidationReport> {
  const original = await validate(c.original);
  expect(original.verdict).toBe('TOTAL_PASSED');
  const attacked = await validate(c.attacked);
  expect(attacked.verdict).not.toBe('TOTAL_PASSED');
  const sigs = on === 'first' ? attacked.signatures.slice(0, 1) : attacked.signatures;
  const matching = sigs.find((s) => s.indication === expected.indication && s.subIndication === expected.subIndication);
  const outcome = matching ?? { indication: attacked.verdict, subIndication: attacked.verdictSubIndication };
  expect({ indication: outcome.indication, subIndication: outcome.subIndication }).toEqual(expected);
  return attacked;
}

const FORMAT = { indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE' };
const MODIFIED = { indication: 'INDETERMINATE', subIndication: 'SIG_CONSTRAINTS_FAILURE' };
const MDP = { indication: 'TOTAL_FAILED', subIndication: 'SIG_CONSTRAINTS_FAILURE' };

describe('attack generators: the manipulated file is never TOTAL_PASSED, its untouched original is', () => {
  it.each([
    ['missing-byterange', FORMAT],
    ['null-byterange', FORMAT],
    ['malformed-byterange', FORMAT],
    ['out-of-file-byterange', FORMAT],
    ['empty-contents', FORMAT],
    ['missing-contents', FORMAT],
    ['foreign-contents', { indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE' }],
  ] as const)('Universal Signature Forgery: %s', async (variant, expected) => {
    await expectCaught(await universalSignatureForgery(variant), expected);
  });

  it('Incremental Saving Attack: the replaced page content is named as a change not permitted', async () => {
    const c = await incrementalSaving();
    expect(popplerSaysValid(c.attacked)).toBe(true);
    const report = await expectCaught(c, MODIFIED);
    expect(report.signatures[0]?.changesAfter.some((c) => !c.allowed && c.detail.includes('redefined'))).toBe(true);
  });

  it('Incremental Saving Attack is TOTAL_FAILED when the policy says so', async () => {
    const c = await incrementalSaving();
    const report = await validatePdf(c.attacked, validationOptions({ modificationPolicy: 'failed' }));
    expect(report.signatures[0]).toMatchObject(MDP);
  });

  it('Signature Wrapping Attack: objects smuggled into the ByteRange gap (pdfsig and qpdf accept the file)', async () => {
    const c = await signatureWrapping();
    expect(popplerSaysValid(c.attacked)).toBe(true);
    await expectCaught(c, FORMAT);
  });

  it.each(['hide', 'replace', 'hide-and-replace'] as const)('shadow attack: %s', async (variant) => {
    await expectCaught(await shadow(variant), MODIFIED);
  });

  it('Evil Annotation Attack on a P3-certified document fails the certification', async () => {
    await expectCaught(await evilAnnotation('free-text'), MDP);
  });

  it('Evil Annotation Attack with a "sticky note" whose rectangle and appearance cover the text fails the P3 certification', async () => {
    const report = await expectCaught(await evilAnnotation('oversized-note'), MDP);
    expect(
      report.signatures[0]?.changesAfter.some(
        (x) => x.classification === 'annotation' && !x.allowed && /may cover signed content/.test(x.detail),
      ),
    ).toBe(true);
  });

  it('after an approval signature (no certification) a covering annotation is flagged INDETERMINATE and an icon-sized note passes', async () => {
    await expectCaught(await evilAnnotation('free-text', null), MODIFIED);
    await expectCaught(await evilAnnotation('oversized-note', null), MODIFIED);
    const note = await validate((await evilAnnotation('sticky-note', null)).attacked);
    expect(note.verdict).toBe('TOTAL_PASSED');
    expect(
      note.signatures[0]?.changesAfter.some(
        (x) => x.classification === 'annotation' && x.allowed && /icon-sized/.test(x.detail),
      ),
    ).toBe(true);
  });

  it('a sticky note on a P3-certified document is a permitted annotation (the allowed class is not over-blocked)', async () => {
    const c = await evilAnnotation('sticky-note');
    const report = await validate(c.attacked);
    expect(report.verdict).toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.changesAfter.some((x) => x.classification === 'annotation' && x.allowed)).toBe(true);
  });

  it('Sneaky Signature Attack on a P2-certified document fails the certification', async () => {
    const report = await expectCaught(await sneakySignature(), MDP, 'first');
    expect(report.signatures[0]?.certification).toEqual({ permissions: 2 });
  });

  it('a spoofed signature dictionary in a later revision', async () => {
    await expectCaught(await spoofedSignatureDictionary(), FORMAT);
  });

  it('duplicate object numbers in the signed revision (pdfsig calls it valid)', async () => {
    const c = await duplicateObjectNumbers();
    expect(popplerSaysValid(c.attacked)).toBe(true);
    await expectCaught(c, FORMAT);
  });

  it('ambiguous hybrid cross-reference: table and /XRefStm put one object in two places', async () => {
    const c = await ambiguousHybridXref();
    const attacked = await expectCaught(c, FORMAT);
    expect(attacked.signatures[0]?.checks).toContainEqual(
      expect.objectContaining({ name: 'unambiguous-xref', passed: false }),
    );
  });

  it.each(['added', 'removed', 'reordered'] as const)(
    'pages %s after signing: TOTAL_FAILED/FORMAT_FAILURE (the signed content is no longer what is shown)',
    async (variant) => {
      const report = await expectCaught(await pagesChanged(variant), FORMAT);
      expect(report.signatures[0]?.checks).toContainEqual(
        expect.objectContaining({ name: 'pages-unchanged', passed: false }),
      );
    },
  );

  it.each(['two-signer-infos', 'embedded-content'] as const)('CMS confusion: %s', async (variant) => {
    await expectCaught(await cmsConfusion(variant), FORMAT);
  });
});
