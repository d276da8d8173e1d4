import fs from 'node:fs';
import { ServiceClient } from '@vanthu/platform';
import type { CallerHeaders } from './documents-client';
import type { SignerRevocation } from '../domain/edxml/signature-trust';

/**
 * The signing service's XML-DSig of an edXML message with the agency's organisation seal (the key stays
 * in its HSM), and its revocation check of a received message's signer. Signing checks a message against
 * the issued (or recalled) document before signing; the message goes as a multipart part streamed from its file
 * (never read whole here), and the returned signature element is for the caller to place after
 * TraceHeaderList of the very bytes sent, after MessageHeader in a status message. Through the platform's
 * ServiceClient: network failures and 5xx become 503 (the hub queue retries); a refusal passes through with its code.
 */
export class SigningClient {
  private readonly signing: ServiceClient;

  constructor(baseUrl: string, timeoutMs = 60_000) {
    this.signing = new ServiceClient('signing', baseUrl, timeoutMs);
  }

  async signEdxml(
    caller: CallerHeaders,
    input: { documentId?: string; file: string; canonicalization?: 'exclusive' | 'inclusive' },
  ): Promise<{ signatureXml: string; kind: 'document' | 'recall' | 'status' }> {
    const form = new FormData();
    form.append(
      'metadata',
      JSON.stringify({
        ...(input.documentId ? { documentId: input.documentId } : {}),
        ...(input.canonicalization ? { canonicalization: input.canonicalization } : {}),
      }),
    );
    form.append('file', await fs.openAsBlob(input.file, { type: 'application/xml' }), 'message.edxml');
    const response = await this.signing.request('/v1/edxml-signatures', { method: 'POST', credentials: caller, form });
    return (await response.json()) as { signatureXml: string; kind: 'document' | 'recall' | 'status' };
  }

  /** The revocation state of a received signature's signer (X509Data, signer first), by OCSP or CRL in signing. */
  async checkSigner(caller: CallerHeaders, certificates: Buffer[]): Promise<SignerRevocation> {
    const response = await this.post(caller, '/v1/edxml-signatures/signer-checks', {
      certificates: certificates.map((c) => c.toString('base64')),
    });
    return (await response.json()) as SignerRevocation;
  }

  private post(caller: CallerHeaders, path: string, body: unknown): Promise<Response> {
    return this.signing.request(path, { method: 'POST', credentials: caller, json: body });
  }
}
