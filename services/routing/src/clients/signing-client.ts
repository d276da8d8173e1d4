import { AppError } from '@vanthu/platform';
import type { Credentials } from './documents-client';

/** The organisation seal signing applied to a consultation's summary. */
export type SummarySeal = {
  sealId: string;
  level: string;
  certificateSha256: string;
  certificateSubject: string;
  signedAt: string;
};

/**
 * Routing's call to the signing service's `POST /v1/service-seals` (kind consultation-summary), with routing's own
 * service identity for the agency whose consultation it is: signing reads the summary from documents with that
 * identity, seals it with the agency's organisation key in its HSM and gives the sealed bytes back (routing stores
 * them in documents). Unreachable or 5xx is 503 with Retry-After; signing's refusals pass through with their status.
 */
export class SigningClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 60_000,
  ) {}

  async sealConsultationSummary(
    credentials: Credentials,
    input: { consultationId: string; documentId: string; version: number },
  ): Promise<{ pdf: Buffer; seal: SummarySeal }> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/v1/service-seals`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-vanthu-identity': credentials.identity,
          'x-request-id': credentials.requestId,
        },
        body: JSON.stringify({ kind: 'consultation-summary', ...input }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new AppError('SERVICE_UNAVAILABLE', 'the signing service cannot be reached to seal the summary', {
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
      const message = `signing could not seal the summary of consultation ${input.consultationId}: ${problem.detail ?? problem.title ?? `HTTP ${response.status}`}`;
      if (response.status >= 500) throw new AppError('SERVICE_UNAVAILABLE', message, { retryAfterSeconds: 5 });
      if (response.status === 403) throw new AppError('FORBIDDEN', message);
      if (response.status === 404) throw new AppError('NOT_FOUND', message);
      if (response.status === 409) throw new AppError('CONFLICT', message);
      throw new AppError('UNPROCESSABLE', message);
    }
    const body = (await response.json()) as SummarySeal & { id: string; pdf: string };
    return {
      pdf: Buffer.from(body.pdf, 'base64'),
      seal: {
        sealId: body.id,
        level: body.level,
        certificateSha256: body.certificateSha256,
        certificateSubject: body.certificateSubject,
        signedAt: body.signedAt,
      },
    };
  }
}
