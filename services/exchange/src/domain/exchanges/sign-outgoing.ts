import { createHash } from 'node:crypto';
import { AppError } from '@vanthu/platform';
import { verifyEnvelopedSignature } from '@vanthu/xmldsig';
import type { CallerHeaders } from '../../clients/documents-client';
import type { SigningClient } from '../../clients/signing-client';
import type { SignatureInfo } from '../edxml/parse-edxml';

/**
 * An edXML message as it goes to the hub (a document, a recall, an update, a replacement or a status
 * message): signed by the signing service with the agency's seal (enveloped XML-DSig after
 * TraceHeaderList, after MessageHeader in a status message; docs/domain/edxml-facts.md "Signature") when
 * one is configured, unsigned otherwise. The signed bytes are checked here before they are stored or
 * sent, so a message that would not verify on the recipient's side never leaves.
 */
export async function signOutgoing(
  edxml: Buffer,
  /** The document the message carries or recalls; none for a status message. */
  input: { documentId?: string; caller: CallerHeaders },
  signing: SigningClient | undefined,
): Promise<{ edxml: Buffer; signature?: SignatureInfo }> {
  if (!signing) return { edxml };
  const signed = await signing.signEdxml(input.caller, {
    ...(input.documentId ? { documentId: input.documentId } : {}),
    edxml,
  });
  const check = verifyEnvelopedSignature(signed.toString('utf8'));
  if (!check.present || !check.valid) {
    throw new AppError('INTERNAL', `the signed edXML does not verify: ${check.present ? check.reason : 'unsigned'}`);
  }
  return {
    edxml: signed,
    signature: {
      present: true,
      valid: true,
      signatureAlgorithm: check.signatureAlgorithm,
      canonicalization: check.canonicalization,
      ...(check.certificates[0]
        ? { certificateSha256: createHash('sha256').update(check.certificates[0]).digest('hex') }
        : {}),
    },
  };
}
