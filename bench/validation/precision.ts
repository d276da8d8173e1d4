// Precision table (issue 11): the share of benign fixtures that pass and of hostile ones that are
// refused, with the validation time per file. Usage, infrastructure up (TSA, OCSP):
//   npx tsx bench/validation/precision.ts
// Rewrites the "Precision" section of bench/validation/results.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validatePdf } from '../../services/signing/src/validation/validate-pdf';
import type { ValidationOptions } from '../../services/signing/src/validation/validate-pdf';
import type { Cert } from '../../services/signing/src/x509/certificate';
import * as attacks from '../../services/signing/test/fixtures/attacks/generators';
import * as benign from '../../services/signing/test/fixtures/benign/generators';
import * as housekeeping from '../../services/signing/test/fixtures/benign/housekeeping';
import { compositeFill } from '../../services/signing/test/fixtures/benign/composite-fills';
import { simpleFill } from '../../services/signing/test/fixtures/benign/simple-fills';
import {
  PLAIN_ECDSA_OID,
  derToPlain,
  rewriteSignerInfo,
  signedWithEc,
} from '../../services/signing/test/fixtures/algorithms';
import { testTrustStore } from '../../services/signing/test/fixtures/validation-support';

type Fixture = { klass: string; name: string; make: () => Promise<{ bytes: Buffer; anchor?: Cert }> };
const plain = (make: () => Promise<Buffer>) => async () => ({ bytes: await make() });

const options = (anchor?: Cert): ValidationOptions => {
  const trust = testTrustStore();
  return {
    trust: anchor ? { anchors: [...trust.anchors, anchor], intermediates: trust.intermediates } : trust,
    validationTime: new Date(),
    revocation: anchor
      ? { mode: 'offline', timeoutMs: 5_000, cacheSeconds: 300 }
      : { mode: 'online', timeoutMs: 5_000, cacheSeconds: 300 },
    modificationPolicy: 'indeterminate',
    sha1AcceptedUntil: null,
  };
};

const ecPlain = (curve: 'prime256v1' | 'secp384r1', hash: 'sha256' | 'sha384' | 'sha512', size: number) => async () => {
  const { bytes, anchor } = await signedWithEc(curve, hash);
  return { bytes: rewriteSignerInfo(bytes, PLAIN_ECDSA_OID[hash], (d) => derToPlain(d, size)), anchor };
};

const BENIGN: Fixture[] = [
  ...(['direct', 'indirect', 'extended'] as const).map((v) => ({
    klass: '1 /DR and /DA added',
    name: `${v}, then a signature`,
    make: plain(() => benign.formResourcesAdded(v, 'signature')),
  })),
  ...(['direct', 'extended'] as const).map((v) => ({
    klass: '1 /DR and /DA added',
    name: `${v}, then a time-stamp`,
    make: plain(() => benign.formResourcesAdded(v, 'timestamp')),
  })),
  ...(['certified', 'approval', 'certified-font-switch'] as const).map((v) => ({
    klass: '2 fill rewriting the appearance in place',
    name: v,
    make: plain(() => benign.permittedFill(v)),
  })),
  ...(['certified', 'field-lock-other', 'font-added', 'new-appearance'] as const).map((v) => ({
    klass: '2 composite-font (Type0, Identity-H) fill',
    name: v,
    make: plain(() => compositeFill(v)),
  })),
  ...(
    [
      'helv-winansi',
      'truetype-differences',
      'mac-roman',
      'standard-implicit',
      'type1c-winansi',
      'type1-builtin',
      'cff-composite',
    ] as const
  ).map((v) => ({
    klass: '2 simple-font (encoding, /Differences) or CFF fill',
    name: v,
    make: plain(() => simpleFill(v)),
  })),
  ...([90, 180, 270] as const).flatMap((rotate) =>
    (['fill', 'note'] as const).map((v) => ({
      klass: 'visual: page turned by /Rotate',
      name: `${rotate}°, ${v}`,
      make: plain(() => benign.onRotatedPage(rotate, v)),
    })),
  ),
  ...(['dss', 'dss-then-signature', 'adobe-revocation', 'dss-extended'] as const).map((v) => ({
    klass: '3 catalog moved to add /DSS',
    name: v,
    make: plain(() => housekeeping.catalogMoved(v)),
  })),
  ...(['made-indirect', 'fonts-indirect', 'renumbered', 'content-recompressed'] as const).map((v) => ({
    klass: '3 equivalent page resources',
    name: v,
    make: plain(() => housekeeping.resourcesReplaced(v)),
  })),
  ...(['struct-tree', 'marked-content', 'element-edited', 'tab-order'] as const).map((v) => ({
    klass: '3 tagging',
    name: v,
    make: plain(() => housekeeping.tagged(v)),
  })),
  ...(['signed-attachment', 'two-attachments', 'qpdf'] as const).map((v) => ({
    klass: '4 PDF attached uncompressed',
    name: v,
    make: plain(() => benign.embeddedPdf(v)),
  })),
  ...(['page-content', 'info', 'page'] as const).map((v) => ({
    klass: '5 PDFBox-style hybrid update',
    name: v,
    make: plain(() => benign.pdfBoxHybrid(v)),
  })),
  { klass: '6 plain ECDSA r‖s', name: 'P-256 SHA-256', make: ecPlain('prime256v1', 'sha256', 32) },
  { klass: '6 plain ECDSA r‖s', name: 'P-256 SHA-512', make: ecPlain('prime256v1', 'sha512', 32) },
  { klass: '6 plain ECDSA r‖s', name: 'P-384 SHA-384', make: ecPlain('secp384r1', 'sha384', 48) },
];

const attacked = (make: () => Promise<attacks.AttackCase>) => async () => ({ bytes: (await make()).attacked });
const HOSTILE: Fixture[] = [
  ...(['same-value', 'other-text', 'new-appearance'] as const).map((v) => ({
    klass: '7 appearance not following the value',
    name: v,
    make: plain(() => benign.deceptiveFill(v)),
  })),
  ...(
    [
      'other-text',
      'other-text-new-appearance',
      'page-content-too',
      'font-swapped',
      'lying-tounicode',
      'field-locked',
    ] as const
  ).map((v) => ({
    klass: '2/7 twin: composite-font fill',
    name: v,
    make: plain(() => compositeFill(v)),
  })),
  ...(
    [
      'helv-other-text',
      'helv-same-value',
      'differences-lie',
      'type1c-missing-glyph',
      'cff-lying-tounicode',
      'type3',
    ] as const
  ).map((v) => ({
    klass: '2/7 twin: simple-font or CFF fill',
    name: v,
    make: plain(() => simpleFill(v)),
  })),
  ...([90, 180, 270] as const).flatMap((rotate) =>
    (['content-added', 'other-text'] as const).map((v) => ({
      klass: 'visual twin: page turned by /Rotate',
      name: `${rotate}°, ${v}`,
      make: plain(() => benign.onRotatedPage(rotate, v)),
    })),
  ),
  ...(
    [
      ['RSA-SHA3-256 declared', '2.16.840.1.101.3.4.3.14'],
      ['curve OID as algorithm', '1.2.840.10045.3.1.7'],
      ['ECDSA declared, RSA key', '1.2.840.10045.4.3.2'],
    ] as const
  ).map(([name, oid]) => ({
    klass: '8 declared algorithm',
    name,
    make: async () => ({ bytes: rewriteSignerInfo(await attacks.signedOnce(), oid) }),
  })),
  ...(['layer-shown', 'dss-shared-stream', 'dangling-reference'] as const).map((v) => ({
    klass: '3 twin: moved catalog / DSS',
    name: v,
    make: plain(() => housekeeping.catalogMovedAttack(v)),
  })),
  ...(['font-swapped', 'content-replaced'] as const).map((v) => ({
    klass: '3 twin: equivalent resources',
    name: v,
    make: plain(() => housekeeping.resourcesReplaced(v)),
  })),
  ...(['hidden-by-layer', 'text-added', 'structure-shared', 'rotated-with-tags'] as const).map((v) => ({
    klass: '3 twin: tagging',
    name: v,
    make: plain(() => housekeeping.taggedAttack(v)),
  })),
  ...(['added', 'removed', 'reordered'] as const).map((v) => ({
    klass: '9 pages changed',
    name: v,
    make: attacked(() => attacks.pagesChanged(v)),
  })),
  ...(
    [
      'missing-byterange',
      'null-byterange',
      'malformed-byterange',
      'out-of-file-byterange',
      'empty-contents',
      'missing-contents',
      'foreign-contents',
    ] as const
  ).map((v) => ({ klass: 'existing: USF', name: v, make: attacked(() => attacks.universalSignatureForgery(v)) })),
  { klass: 'existing: ISA', name: 'page content replaced', make: attacked(attacks.incrementalSaving) },
  { klass: 'existing: SWA', name: 'objects in the gap', make: attacked(attacks.signatureWrapping) },
  ...(['hide', 'replace', 'hide-and-replace'] as const).map((v) => ({
    klass: 'existing: shadow',
    name: v,
    make: attacked(() => attacks.shadow(v)),
  })),
  { klass: 'existing: EAA', name: 'free text, P3', make: attacked(() => attacks.evilAnnotation('free-text')) },
  {
    klass: 'existing: EAA',
    name: 'oversized note, P3',
    make: attacked(() => attacks.evilAnnotation('oversized-note')),
  },
  {
    klass: 'existing: EAA',
    name: 'free text, approval',
    make: attacked(() => attacks.evilAnnotation('free-text', null)),
  },
  { klass: 'existing: SSA', name: 'visible signature on P2', make: attacked(attacks.sneakySignature) },
  { klass: 'existing: spoofing', name: 'signature dictionary', make: attacked(attacks.spoofedSignatureDictionary) },
  { klass: 'existing: collision', name: 'duplicate objects', make: attacked(attacks.duplicateObjectNumbers) },
  { klass: 'existing: hybrid', name: 'ambiguous /XRefStm', make: attacked(attacks.ambiguousHybridXref) },
  ...(['two-signer-infos', 'embedded-content'] as const).map((v) => ({
    klass: 'existing: CMS confusion',
    name: v,
    make: attacked(() => attacks.cmsConfusion(v)),
  })),
];

async function measure(f: Fixture): Promise<{ verdict: string; ms: number; rendered: string }> {
  const { bytes, anchor } = await f.make();
  const o = options(anchor);
  const first = await validatePdf(bytes, o);
  const times: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    const started = performance.now();
    await validatePdf(bytes, o);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const visual = first.signatures.map((sig) => sig.visual).filter((v) => v !== null);
  const regions = visual.flatMap((v) => v.regions);
  const rendered = visual.some((v) => v.pages.length > 0);
  const unchanged = [...new Set(visual.flatMap((v) => v.unchangedPages))];
  return {
    verdict: `${first.verdict}${first.verdictSubIndication ? `/${first.verdictSubIndication}` : ''}`,
    ms: times[2] as number,
    rendered: visual.length
      ? [
          rendered ? `${regions.length} region(s), ${regions.filter((r) => !r.explainedBy).length} unexplained` : '',
          unchanged.length ? `page ${unchanged.join(', ')} unchanged by the pre-check, not rendered` : '',
        ]
          .filter(Boolean)
          .join('; ')
      : '—',
  };
}

async function main(): Promise<void> {
  const rows: string[] = [];
  const tally: Record<'benign' | 'hostile', [number, number]> = { benign: [0, 0], hostile: [0, 0] };
  for (const [kind, list] of [
    ['benign', BENIGN],
    ['hostile', HOSTILE],
  ] as const) {
    for (const f of list) {
      const { verdict, ms, rendered } = await measure(f);
      const ok = kind === 'benign' ? verdict === 'TOTAL_PASSED' : !verdict.startsWith('TOTAL_PASSED');
      tally[kind][0] += ok ? 1 : 0;
      tally[kind][1] += 1;
      rows.push(
        `| ${kind} | ${f.klass} | ${f.name} | ${verdict} | ${ok ? 'yes' : '**no**'} | ${rendered} | ${ms.toFixed(1)} |`,
      );
    }
  }
  const share = ([ok, all]: number[]): string =>
    `${ok}/${all} (${Math.round(((ok as number) / (all as number)) * 100)}%)`;
  const section = [
    '## Precision (issue 11)',
    '',
    `${new Date().toISOString()}, \`npx tsx bench/validation/precision.ts\`; median of 5 in-process validations per file (online revocation, warm cache; the rendering comparison included when a later change reaches a page and the structural pre-check does not find the page's inputs unchanged). Machine load (\`uptime\`): ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(', ')} on ${os.availableParallelism()} cores.`,
    '',
    `Benign fixtures passed: **${share(tally.benign)}**. Hostile fixtures refused: **${share(tally.hostile)}**.`,
    '',
    '| Kind | Class | Fixture | Verdict | As expected | Rendering compared | ms |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  const file = path.join(__dirname, 'results.md');
  const text = fs.readFileSync(file, 'utf8');
  const at = text.indexOf('## Precision (issue 11)');
  fs.writeFileSync(file, `${at >= 0 ? text.slice(0, at) : `${text.trimEnd()}\n\n`}${section}`);
  process.stdout.write(`${section}\n`);
}

void main().then(() => process.exit(0));
