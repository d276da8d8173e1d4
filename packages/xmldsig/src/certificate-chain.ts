import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

export type ChainCheck = { trusted: boolean; reason?: string; subject?: string; issuer?: string };

const parse = (der: Buffer): pkijs.Certificate => {
  const asn = asn1js.fromBER(new Uint8Array(der).buffer);
  if (asn.offset === -1) throw new Error('not DER');
  return new pkijs.Certificate({ schema: asn.result });
};

const commonName = (name: pkijs.RelativeDistinguishedNames): string =>
  name.typesAndValues
    .map(
      (t) =>
        `${{ '2.5.4.3': 'CN', '2.5.4.10': 'O', '2.5.4.6': 'C' }[t.type] ?? t.type}=${String(t.value.valueBlock.value)}`,
    )
    .join(', ');

/** Every certificate of a PEM bundle, as DER. */
export function pemToDers(pem: string): Buffer[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) =>
    Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'),
  );
}

/**
 * Does `certificates[0]` chain, through the others and the trust store's intermediates, to a trusted root,
 * each certificate valid at `at`? Revocation is not part of this check.
 */
export async function checkCertificateChain(certificates: Buffer[], trusted: Buffer[], at: Date): Promise<ChainCheck> {
  let parsed: pkijs.Certificate[];
  let anchors: pkijs.Certificate[];
  try {
    parsed = certificates.map(parse);
    anchors = trusted.map(parse);
  } catch (error) {
    return { trusted: false, reason: `a certificate cannot be read: ${(error as Error).message}` };
  }
  const signer = parsed[0];
  if (!signer) return { trusted: false, reason: 'no certificate' };
  const names = { subject: commonName(signer.subject), issuer: commonName(signer.issuer) };
  if (anchors.length === 0) return { trusted: false, reason: 'no trust store is configured', ...names };
  for (const certificate of parsed) {
    if (at < certificate.notBefore.value || at > certificate.notAfter.value) {
      const name = commonName(certificate.subject);
      return { trusted: false, reason: `certificate ${name} is not valid at ${at.toISOString()}`, ...names };
    }
  }
  const selfSigned = (c: pkijs.Certificate) => c.subject.isEqual(c.issuer);
  const engine = new pkijs.CertificateChainValidationEngine({
    trustedCerts: anchors.filter(selfSigned),
    certs: [...parsed, ...anchors.filter((c) => !selfSigned(c))],
    checkDate: at,
  });
  const result = await engine.verify();
  return result.result
    ? { trusted: true, ...names }
    : { trusted: false, reason: `the certificate chains to no trusted root: ${result.resultMessage}`, ...names };
}
