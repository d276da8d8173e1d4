// The signer's certificate path: chain to a trust anchor, validity at the proof-of-existence
// time, revocation, the SHA-1 policy and the PAdES level reached.
import type { Cert } from '../x509/certificate';
import { displayNameOf, issuerText, subjectText, validityOf } from '../x509/certificate';
import { chainWithAia } from './aia-issuers';
import { iso } from './outcome';
import type { CertificateReport, SignatureReport } from './report';
import { revocationStatus } from './revocation-check';
import type { DocumentContext, SignatureState, ValidationOptions } from './signature-state';
import { isAnchor } from './trust-store';
import type { TrustStore } from './trust-store';

/** Missing issuers are fetched from AIA caIssuers URLs only when the network may be used (online mode). */
export const aiaSettings = (options: ValidationOptions): { timeoutMs: number; cacheSeconds: number } | null =>
  options.revocation.mode === 'online'
    ? { timeoutMs: options.revocation.timeoutMs, cacheSeconds: options.revocation.cacheSeconds }
    : null;

export function certificateReport(c: Cert, trust: TrustStore): CertificateReport {
  return {
    subject: subjectText(c),
    issuer: issuerText(c),
    serialNumber: c.x509.serialNumber,
    notBefore: validityOf(c).notBefore.toISOString(),
    notAfter: validityOf(c).notAfter.toISOString(),
    sha256: c.sha256,
    trustAnchor: isAnchor(trust, c),
    status: isAnchor(trust, c) ? 'good' : 'not-checked',
    revokedAt: null,
    revocationSource: isAnchor(trust, c) ? 'trust-anchor' : 'none',
  };
}

/** Builds the signer's chain (with AIA in online mode) and, when there is one, checks its status. */
export async function checkSignerChain(
  state: SignatureState,
  signer: Cert,
  report: SignatureReport,
  ctx: DocumentContext,
): Promise<void> {
  const { outcome } = state;
  const { options } = ctx;
  const candidates = [...(state.cms?.certificates ?? state.docTimestamp?.certificates ?? []), ...ctx.dssCerts];
  const started = performance.now();
  const { chain, viaAia } = await chainWithAia(signer, candidates, options.trust, aiaSettings(options));
  ctx.time.chain = (ctx.time.chain ?? 0) + performance.now() - started;
  if (!chain) {
    outcome.check('certificate-chain', false, 'no chain from the signer certificate to a trust anchor');
    outcome.fail(
      'INDETERMINATE',
      'NO_CERTIFICATE_CHAIN_FOUND',
      `the certificate of ${displayNameOf(signer)} does not chain to a trusted root`,
    );
    report.chain = [certificateReport(signer, options.trust)];
    return;
  }
  const fetched = viaAia.length
    ? ` (${viaAia.map((v) => `${displayNameOf(v.cert)} fetched from ${v.url}`).join('; ')})`
    : '';
  outcome.check('certificate-chain', true, `${chain.map((c) => displayNameOf(c)).join(' → ')}${fetched}`);
  report.chain = chain.map((c) => certificateReport(c, options.trust));
  await checkChainStatus(state, chain, report, ctx);
}

/** Is the signature's own time-stamp from a trusted TSA? Records the check. */
async function signatureTimestampTrusted(state: SignatureState, ctx: DocumentContext): Promise<boolean> {
  const ts = state.cms?.timestamp ?? null;
  if (!ts) return false;
  const trusted = !!(
    await chainWithAia(ts.tsa, [...ts.certificates, ...ctx.dssCerts], ctx.options.trust, aiaSettings(ctx.options))
  ).chain;
  state.outcome.check(
    'signature-timestamp',
    trusted,
    trusted
      ? `time-stamped at ${ts.time.toISOString()} by ${displayNameOf(ts.tsa)}`
      : 'the time-stamping authority does not chain to a trusted root',
  );
  return trusted;
}

/** Validity periods, revocation, proof of existence, SHA-1 policy and the PAdES level. */
async function checkChainStatus(
  state: SignatureState,
  chain: Cert[],
  report: SignatureReport,
  ctx: DocumentContext,
): Promise<void> {
  const { outcome } = state;
  const { options } = ctx;
  const tsTrusted = await signatureTimestampTrusted(state, ctx);
  const laterDocTs = ctx.trustedDocTimestamps
    .filter((t) => t.revision >= state.signedRevision && t.revision >= 0)
    .sort((a, b) => a.time.getTime() - b.time.getTime());
  // Proof of existence: a trusted signature time-stamp, else the earliest trusted document time-stamp over it.
  const poe =
    (tsTrusted ? state.cms?.timestamp?.time : undefined) ??
    (state.kind === 'document-timestamp' ? state.docTimestamp?.time : laterDocTs[0]?.time);
  const at = poe ?? options.validationTime;
  if (at.getTime() > options.validationTime.getTime() + 5 * 60_000)
    outcome.fail('INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE', 'the time-stamp lies after the validation time');
  const started = performance.now();
  const allEmbedded = await checkCertificates(state, chain, report, ctx, at, poe);
  ctx.time.revocation = (ctx.time.revocation ?? 0) + performance.now() - started;
  outcome.check(
    'revocation',
    report.chain.every((c) => c.status === 'good'),
    chain
      .map((c, i) => `${displayNameOf(c)}: ${report.chain[i]?.status} (${report.chain[i]?.revocationSource})`)
      .join('; '),
  );
  checkSha1Policy(state, options, poe);
  if (state.kind === 'signature' && state.cms?.hasSigningCertificateV2 && state.subFilter === 'ETSI.CAdES.detached') {
    let level: SignatureReport['level'] = 'B-B';
    if (tsTrusted || laterDocTs.length) level = 'B-T';
    const dssRevision = firstDssRevision(ctx, state.signedRevision);
    if (level === 'B-T' && allEmbedded && dssRevision !== null) level = 'B-LT';
    if (level === 'B-LT' && laterDocTs.some((t) => t.revision >= (dssRevision as number))) level = 'B-LTA';
    report.level = level;
  }
}

/** Validity and revocation of every certificate below the anchor at time `at`; true when all answers were embedded. */
async function checkCertificates(
  state: SignatureState,
  chain: Cert[],
  report: SignatureReport,
  ctx: DocumentContext,
  at: Date,
  poe: Date | undefined,
): Promise<boolean> {
  const { outcome } = state;
  const { options } = ctx;
  let allEmbedded = true;
  for (let i = 0; i < chain.length; i += 1) {
    const cert = chain[i] as Cert;
    const entry = report.chain[i] as CertificateReport;
    if (entry.trustAnchor) continue;
    const { notBefore, notAfter } = validityOf(cert);
    if (at < notBefore)
      outcome.fail('TOTAL_FAILED', 'NOT_YET_VALID', `${displayNameOf(cert)}: not yet valid at ${at.toISOString()}`);
    else if (at > notAfter) {
      if (poe)
        outcome.fail(
          'TOTAL_FAILED',
          'EXPIRED',
          `${displayNameOf(cert)}: the certificate had expired (${notAfter.toISOString()}) when the signature was time-stamped`,
        );
      else
        outcome.fail(
          'INDETERMINATE',
          'OUT_OF_BOUNDS_NO_POE',
          `${displayNameOf(cert)}: the certificate expired on ${notAfter.toISOString()} and no time-stamp proves the signature existed before`,
        );
    }
    const issuer = chain[i + 1];
    if (!issuer) continue;
    const answer = await revocationStatus(cert, issuer, ctx.embedded, options.revocation);
    entry.status = answer.status;
    entry.revokedAt = iso(answer.revokedAt);
    entry.revocationSource = answer.source;
    if (answer.source !== 'embedded-ocsp' && answer.source !== 'embedded-crl') allEmbedded = false;
    if (answer.status === 'revoked') {
      const revokedAt = answer.revokedAt ?? options.validationTime;
      if (revokedAt.getTime() <= at.getTime()) {
        if (poe)
          outcome.fail(
            'TOTAL_FAILED',
            'REVOKED',
            `${displayNameOf(cert)}: revoked on ${revokedAt.toISOString()}, before the time-stamped signing time`,
          );
        else
          outcome.fail(
            'INDETERMINATE',
            'REVOKED_NO_POE',
            `${displayNameOf(cert)}: revoked on ${revokedAt.toISOString()}; no time-stamp proves the signature is older`,
          );
      }
    } else if (answer.status === 'unknown') {
      outcome.fail(
        'INDETERMINATE',
        'TRY_LATER',
        `${displayNameOf(cert)}: no revocation information ${options.revocation.mode === 'offline' ? 'is embedded (offline validation)' : 'could be obtained'}`,
      );
    }
  }
  return allEmbedded;
}

/** Legacy SHA-1: an explicit policy, accepted only with proof of existence before the configured cut-off. */
function checkSha1Policy(state: SignatureState, options: ValidationOptions, poe: Date | undefined): void {
  const digest = state.cms?.digest ?? state.docTimestamp?.digest;
  if (digest !== 'sha1') return;
  const ok = options.sha1AcceptedUntil !== null && poe !== undefined && poe < options.sha1AcceptedUntil;
  state.outcome.check(
    'sha1-policy',
    ok,
    ok
      ? 'SHA-1 accepted: time-stamped before the configured cut-off'
      : 'SHA-1 is not accepted without proof of existence before the cut-off',
  );
  if (!ok) state.outcome.fail('INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE', 'the signature uses SHA-1');
}

function firstDssRevision(ctx: DocumentContext, after: number): number | null {
  const dss = ctx.changes.filter((c) => c.revision > after && c.classification === 'dss').map((c) => c.revision);
  return dss.length ? Math.min(...dss) : null;
}

/** Trusted document time-stamps are proofs of existence for the revisions they cover. */
export async function trustedDocumentTimestamps(
  states: SignatureState[],
  ctx: Pick<DocumentContext, 'options' | 'dssCerts' | 'time'>,
): Promise<{ time: Date; revision: number }[]> {
  const out: { time: Date; revision: number }[] = [];
  for (const state of states) {
    if (!state.docTimestamp || state.outcome.indication.indication !== 'TOTAL_PASSED') continue;
    const started = performance.now();
    const { chain } = await chainWithAia(
      state.docTimestamp.tsa,
      [...state.docTimestamp.certificates, ...ctx.dssCerts],
      ctx.options.trust,
      aiaSettings(ctx.options),
    );
    ctx.time.chain = (ctx.time.chain ?? 0) + performance.now() - started;
    if (chain) out.push({ time: state.docTimestamp.time, revision: state.signedRevision });
  }
  return out;
}
