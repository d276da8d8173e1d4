import type { Tx } from '@vanthu/platform';
import { currentSealKey } from '../repositories/signing-keys-repository';
import type { Seal, SigningDeps } from '../signatures/signing-deps';
import { toCert } from '../x509/certificate';

/**
 * The organisation seal an agency signs with now: its newest active key generated through the API (POST
 * /v1/signing-keys), else the key the configuration lists for it (HSM_SEALS, for bootstrapping), else none.
 */
export async function resolveSeal(
  tx: Tx,
  agencyCode: string,
  deps: SigningDeps,
  at: Date,
): Promise<(Seal & { signingKeyId: string | null }) | undefined> {
  const key = await currentSealKey(tx, agencyCode, at);
  if (key?.certificateDer)
    return {
      signingKeyId: key.id,
      agencyCode,
      keyIdHex: key.keyIdHex,
      certificate: toCert(key.certificateDer),
      chain: key.chainDer.map(toCert),
      scheme: 'rsa-pkcs1',
    };
  const configured = deps.seals.get(agencyCode);
  return configured ? { ...configured, signingKeyId: null } : undefined;
}
