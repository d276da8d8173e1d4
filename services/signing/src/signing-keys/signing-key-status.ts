import { requireRole, withTransaction } from '@vanthu/platform';
import type { SigningContext } from '../context';
import { listSigningKeys } from '../repositories/signing-keys-repository';
import { resolveSeal } from './resolve-seal';
import type { SigningDeps } from '../signatures/signing-deps';
import { subjectText, toCert, validityOf } from '../x509/certificate';
import type { Cert } from '../x509/certificate';

export type SigningKeyStatusInput = Record<string, never>;

export type KeyStatus = {
  /** The key's record when it was generated through POST /v1/signing-keys; null for a key of the configuration. */
  id: string | null;
  source: 'api' | 'configuration';
  /** The key the agency seals with now. */
  inUse: boolean;
  agencyCode: string;
  keyIdHex: string;
  online: boolean;
  certificateSubject: string;
  certificateNotAfter: string;
  daysToExpiry: number;
  usageCount: number;
  lastUsedAt: string | null;
};

/** Organisation keys as administrators see them: online, in use, certificate expiry, usage count. */
export async function signingKeyStatus(
  _input: SigningKeyStatusInput,
  ctx: SigningContext,
): Promise<{ token: string | null; online: boolean; sessions: number; keys: KeyStatus[] }> {
  const { identity, signing: deps } = ctx;
  requireRole(identity, 'admin');
  let status: ReturnType<SigningDeps['hsm']['status']> | undefined;
  try {
    status = deps.hsm.status();
  } catch {
    status = undefined;
  }
  const now = ctx.clock();
  const result = await withTransaction(deps.pool, async (tx) => ({
    active: (await listSigningKeys(tx, identity.agencyCode)).filter((k) => k.status === 'active'),
    inUse: await resolveSeal(tx, identity.agencyCode, deps, now),
  }));
  const describe = (id: string | null, keyIdHex: string, certificate: Cert): KeyStatus => {
    const { notAfter } = validityOf(certificate);
    const usage = status?.keyUsage[keyIdHex];
    return {
      id,
      source: id ? 'api' : 'configuration',
      inUse: result.inUse?.keyIdHex === keyIdHex,
      agencyCode: identity.agencyCode,
      keyIdHex,
      online: !!status?.keys.some((k) => k.idHex === keyIdHex.toLowerCase()),
      certificateSubject: subjectText(certificate),
      certificateNotAfter: notAfter.toISOString(),
      daysToExpiry: Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000),
      usageCount: usage?.count ?? 0,
      lastUsedAt: usage?.lastUsedAt ?? null,
    };
  };
  const keys: KeyStatus[] = result.active.flatMap((k) =>
    k.certificateDer ? [describe(k.id, k.keyIdHex, toCert(k.certificateDer))] : [],
  );
  const configured = deps.seals.get(identity.agencyCode);
  if (configured) keys.push(describe(null, configured.keyIdHex, configured.certificate));
  return { token: status?.tokenLabel ?? null, online: !!status, sessions: status?.sessions ?? 0, keys };
}
