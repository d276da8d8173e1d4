import { checkCertificateChain } from '@vanthu/xmldsig';
import type { ConformanceProblem } from './model';
import type { ParsedEdxml, ParsedEdxmlFile } from './parse-edxml';

/** The signer's revocation state as the signing service learnt it (OCSP, else CRL, over the chain). */
export type SignerRevocation = { status: 'good' | 'revoked' | 'unknown'; revokedAt?: string; reason?: string };

export type SignaturePolicy = {
  /** DER of the CAs received signatures must chain to (the national public-service PKI the instance trusts). */
  trust: Buffer[];
  at: Date;
  /** An unsigned message is an error (REQUIRE_SIGNED_MESSAGES); otherwise it passes, as real hubs send them. */
  requireSigned?: boolean;
  /** Asks the signing service for the signer's revocation state; absent, revocation is not checked (a warning). */
  revocation?: (certificates: Buffer[]) => Promise<SignerRevocation>;
};

/**
 * Completes a parsed message's signature (a document, a recall, an update or a status message) with what
 * the XML-DSig check alone cannot tell: whether a signature is required, whether its signer chains to the
 * trust store at `at`, and whether the signer or a CA above it was revoked. A signature that verifies but
 * chains nowhere is an error when a trust store is configured, a warning when none is; a revoked signer is
 * an error; revocation that no responder could answer is a warning and `signature.revocation` is
 * `unknown`, for the receiver to try again later. Returns the problems added.
 */
export async function checkSignatureTrust(
  parsed: ParsedEdxml | ParsedEdxmlFile,
  policy: SignaturePolicy,
): Promise<ConformanceProblem[]> {
  const added: ConformanceProblem[] = [];
  const add = (rule: string, message: string, severity: 'error' | 'warning' = 'error') => {
    const problem: ConformanceProblem = { rule, path: 'edXMLHeader.Signature', message, severity };
    parsed.problems.push(problem);
    added.push(problem);
  };
  const { signature } = parsed;
  if (!signature.present || signature.namespace !== 'http://www.w3.org/2000/09/xmldsig#') {
    if (policy.requireSigned) {
      add('edxml.signature.required', `the ${describe(parsed)} carries no XML-DSig signature, and one is required`);
    }
    return added;
  }
  if (!signature.valid) return added; // reported by the parser with the reason
  const chain = await checkCertificateChain(parsed.signatureCertificates, policy.trust, policy.at);
  signature.trusted = chain.trusted;
  if (!chain.trusted) {
    signature.trustReason = chain.reason ?? 'not trusted';
    add(
      'edxml.signature.chain',
      `the signer's certificate is not trusted: ${signature.trustReason}`,
      policy.trust.length > 0 ? 'error' : 'warning',
    );
    return added;
  }
  if (!policy.revocation) {
    add('edxml.signature.revocation', 'the signer’s revocation state was not checked (no signing service)', 'warning');
    return added;
  }
  const revocation = await policy.revocation(parsed.signatureCertificates);
  signature.revocation = revocation.status;
  if (revocation.revokedAt) signature.revokedAt = revocation.revokedAt;
  if (revocation.status === 'revoked') {
    add(
      'edxml.signature.revoked',
      `the signer's certificate is revoked${revocation.revokedAt ? ` since ${revocation.revokedAt}` : ''}`,
    );
  } else if (revocation.status === 'unknown') {
    add(
      'edxml.signature.revocation',
      `the signer’s revocation state could not be learnt: ${revocation.reason ?? 'no responder answered'}`,
      'warning',
    );
  }
  return added;
}

const describe = (parsed: ParsedEdxml | ParsedEdxmlFile): string => {
  if (parsed.kind === 'status') return `status message ${parsed.status.statusCode}`;
  const type = parsed.document.business?.businessDocType ?? 0;
  return ['document', 'recall', 'update', 'replacement'][type] ?? 'message';
};
