import { AppError } from '@vanthu/platform';
import { spliceSignature } from '@vanthu/xmldsig';
import type { CallerHeaders } from './documents-client';
import type { SignerRevocation } from '../domain/edxml/signature-trust';

/**
 * The signing service's XML-DSig of an edXML message with the agency's organisation seal (the key stays
 * in its HSM), and its revocation check of a received message's signer. Signing checks a message against
 * the issued (or recalled) document before signing; the returned signature element is placed after
 * TraceHeaderList of the very bytes sent, after MessageHeader in a status message. Network failures and
 * 5xx become 503 (the hub queue retries); a refusal passes through with its status.
 */
export class SigningClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 60_000,
  ) {}

  async signEdxml(
    caller: CallerHeaders,
    input: { documentId?: string; edxml: Buffer; canonicalization?: 'exclusive' | 'inclusive' },
  ): Promise<Buffer> {
    const response = await this.post(caller, '/v1/edxml-signatures', {
      ...(input.documentId ? { documentId: input.documentId } : {}),
      edxml: input.edxml.toString('base64'),
      ...(input.canonicalization ? { canonicalization: input.canonicalization } : {}),
    });
    const answer = (await response.json()) as { signatureXml: string; kind?: string };
    const after = answer.kind === 'status' ? 'MessageHeader' : 'TraceHeaderList';
    return Buffer.from(spliceSignature(input.edxml.toString('utf8'), answer.signatureXml, after), 'utf8');
  }

  /** The revocation state of a received signature's signer (X509Data, signer first), by OCSP or CRL in signing. */
  async checkSigner(caller: CallerHeaders, certificates: Buffer[]): Promise<SignerRevocation> {
    const response = await this.post(caller, '/v1/edxml-signatures/signer-checks', {
      certificates: certificates.map((c) => c.toString('base64')),
    });
    return (await response.json()) as SignerRevocation;
  }

  private async post(caller: CallerHeaders, path: string, body: unknown): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-vanthu-identity': caller.identity,
          'x-request-id': caller.requestId,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new AppError('SERVICE_UNAVAILABLE', 'the signing service cannot be reached; try again shortly', {
        cause: error,
        retryAfterSeconds: 5,
      });
    }
    if (!response.ok) {
      let problem: { detail?: string; title?: string } = {};
      try {
        problem = (await response.json()) as typeof problem;
      } catch {
        // a non-JSON error body carries nothing more useful than its status
      }
      const message = `signing (${path}): ${problem.detail ?? problem.title ?? `HTTP ${response.status}`}`;
      if (response.status >= 500) throw new AppError('SERVICE_UNAVAILABLE', message, { retryAfterSeconds: 5 });
      if (response.status === 403) throw new AppError('FORBIDDEN', message);
      if (response.status === 404) throw new AppError('NOT_FOUND', message);
      throw new AppError('UNPROCESSABLE', message);
    }
    return response;
  }
}
