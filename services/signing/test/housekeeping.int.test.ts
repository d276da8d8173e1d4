import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validatePdf } from '../src/validation/validate-pdf';
import type { ValidationReport } from '../src/validation/report';
import {
  catalogMoved,
  catalogMovedAttack,
  resourcesReplaced,
  tagged,
  taggedAttack,
} from './fixtures/benign/housekeeping';
import { validationOptions } from './fixtures/validation-support';
import { qpdfCheck } from './support';

const validate = (bytes: Buffer): Promise<ValidationReport> =>
  validatePdf(bytes, validationOptions({ revocation: { mode: 'online', timeoutMs: 5_000, cacheSeconds: 60 } }));

const changes = (report: ValidationReport) => report.signatures.flatMap((s) => s.changesAfter);

/** Well-formed for qpdf, every signature passes, and a change matching `detail` is listed as allowed. */
async function expectBenign(bytes: Buffer, detail: RegExp): Promise<void> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'housekeeping-')), 'file.pdf');
  fs.writeFileSync(file, bytes);
  qpdfCheck(file);
  const report = await validate(bytes);
  expect(`${report.verdict}: ${report.verdictReason}`).toMatch(/^TOTAL_PASSED: /);
  expect(changes(report).some((c) => c.allowed && detail.test(c.detail))).toBe(true);
  expect(changes(report).every((c) => c.allowed)).toBe(true);
}

/** Not passed, with an unexplained change matching `detail` in the report. */
async function expectRefused(bytes: Buffer, detail: RegExp): Promise<void> {
  const report = await validate(bytes);
  expect(report.verdict).not.toBe('TOTAL_PASSED');
  const refused = changes(report).filter((c) => !c.allowed);
  expect(refused.map((c) => c.detail).join('; ')).toMatch(detail);
}

describe('class 3: catalog and structure housekeeping that changes nothing a reader sees (issue 11)', () => {
  it.each([
    ['dss', /catalog rewritten under a new object number/],
    ['dss-then-signature', /catalog rewritten under a new object number/],
    ['adobe-revocation', /validation data \(DSS\)/],
    ['dss-extended', /validation data \(DSS\)/],
  ] as const)('the catalog moved to a new object number to add /DSS (%s)', async (variant, detail) => {
    const bytes = await catalogMoved(variant);
    // The trailer really points at another catalog object than the signed revision's.
    const roots = new Set(bytes.toString('latin1').match(/\/Root \d+ 0 R/g));
    expect(roots.size).toBeGreaterThan(1);
    await expectBenign(bytes, detail);
  });

  it.each([
    ['made-indirect', /page rewritten with the same content/],
    ['fonts-indirect', /part of a page dictionary rewritten with the same content/],
    ['renumbered', /page rewritten with the same content/],
    ['content-recompressed', /rewritten with the same content/],
  ] as const)("a page's /Resources replaced by an equivalent dictionary (%s)", async (variant, detail) => {
    await expectBenign(await resourcesReplaced(variant), detail);
  });

  it.each([
    ['struct-tree', /logical structure \(tagging\)/],
    ['marked-content', /marked content \(tagging\) added to a content stream/],
    ['element-edited', /logical structure \(tagging\)/],
    ['tab-order', /page rewritten with the same content \(tagging links, tab order/],
  ] as const)('tagging added or edited after signing (%s)', async (variant, detail) => {
    await expectBenign(await tagged(variant), detail);
  });
});

describe('class 3 hostile twins: a visible change under the same disguise still fails', () => {
  it.each([
    ['layer-shown', /the catalog changed: OCProperties/],
    ['dss-shared-stream', /under \/DSS that the pages or their resources also use/],
    ['dangling-reference', /under \/DSS that the pages or their resources also use/],
  ] as const)('catalog / DSS disguise: %s', async (variant, detail) => {
    await expectRefused(await catalogMovedAttack(variant), detail);
  });

  it.each([
    ['font-swapped', /the page changed: Resources/],
    ['content-replaced', /redefined/],
  ] as const)('equivalent-resources disguise: %s', async (variant, detail) => {
    await expectRefused(await resourcesReplaced(variant), detail);
  });

  it.each([
    ['hidden-by-layer', /redefined/],
    ['text-added', /redefined/],
    ['structure-shared', /redefined/],
    ['rotated-with-tags', /the page changed: Rotate/],
  ] as const)('tagging disguise: %s', async (variant, detail) => {
    await expectRefused(await taggedAttack(variant), detail);
  });
});
