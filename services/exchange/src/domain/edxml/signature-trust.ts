import { checkCertificateChain } from '@vanthu/xmldsig';
import type { ConformanceProblem } from './model';
import type { ParsedEdxml } from './parse-edxml';

/**
 * Completes a parsed message's signature with its signer's chain to the trust store (the CAs of the
 * national public-service PKI the instance trusts), at `at`. A signature that verifies but chains
 * nowhere is an error when a trust store is configured, a warning when none is; revocation is not
 * checked here. Returns the problem added, if any.
 */
export async function checkSignatureTrust(
  parsed: ParsedEdxml,
  trust: Buffer[],
  at: Date,
): Promise<ConformanceProblem | undefined> {
  if (parsed.kind !== 'edoc' || !parsed.signature.valid) return undefined;
  const chain = await checkCertificateChain(parsed.signatureCertificates, trust, at);
  parsed.signature.trusted = chain.trusted;
  if (chain.trusted) return undefined;
  parsed.signature.trustReason = chain.reason ?? 'not trusted';
  const problem: ConformanceProblem = {
    rule: 'edxml.signature.chain',
    path: 'edXMLHeader.Signature',
    message: `the signer's certificate is not trusted: ${parsed.signature.trustReason}`,
    severity: trust.length > 0 ? 'error' : 'warning',
  };
  parsed.problems.push(problem);
  return problem;
}
