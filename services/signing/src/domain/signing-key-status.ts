import { requireRole } from '@vanthu/platform';
import type { SigningContext } from '../context';
import type { SigningDeps } from './signing-deps';
import { certificateSubject } from './signing-deps';

export type SigningKeyStatusInput = Record<string, never>;

export type KeyStatus = {
  agencyCode: string;
  keyIdHex: string;
  online: boolean;
  certificateSubject: string;
  certificateNotAfter: string;
  daysToExpiry: number;
  usageCount: number;
  lastUsedAt: string | null;
};

/** Organisation keys as administrators see them: online, certificate expiry, usage count. */
export function signingKeyStatus(
  _input: SigningKeyStatusInput,
  ctx: SigningContext,
): { token: string | null; online: boolean; sessions: number; keys: KeyStatus[] } {
  const { identity, signing: deps } = ctx;
  requireRole(identity, 'admin');
  let status: ReturnType<SigningDeps['hsm']['status']> | undefined;
  try {
    status = deps.hsm.status();
  } catch {
    status = undefined;
  }
  const keys: KeyStatus[] = [];
  for (const seal of deps.seals.values()) {
    if (seal.agencyCode !== identity.agencyCode) continue;
    const notAfter = seal.certificate.notAfter.value;
    const usage = status?.keyUsage[seal.keyIdHex];
    keys.push({
      agencyCode: seal.agencyCode,
      keyIdHex: seal.keyIdHex,
      online: !!status?.keys.some((k) => k.idHex === seal.keyIdHex.toLowerCase()),
      certificateSubject: certificateSubject(seal.certificate),
      certificateNotAfter: notAfter.toISOString(),
      daysToExpiry: Math.floor((notAfter.getTime() - ctx.clock().getTime()) / 86_400_000),
      usageCount: usage?.count ?? 0,
      lastUsedAt: usage?.lastUsedAt ?? null,
    });
  }
  return { token: status?.tokenLabel ?? null, online: !!status, sessions: status?.sessions ?? 0, keys };
}
