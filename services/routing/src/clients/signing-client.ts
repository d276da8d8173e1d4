import { readServiceSeal, serviceSealBody, serviceSealPath } from '@vanthu/client';
import type { ServiceSeal, ServiceSealResponse } from '@vanthu/client';
import { ServiceClient } from '@vanthu/platform';
import type { Credentials } from './documents-client';

/** The organisation seal signing applied to a consultation's summary. */
export type SummarySeal = ServiceSeal;

/**
 * Routing's call to the signing service's `POST /v1/service-seals` (kind consultation-summary), with routing's own
 * service identity for the agency whose consultation it is: signing reads the summary from documents with that
 * identity, seals it with the agency's organisation key in its HSM and gives the sealed bytes back (routing stores
 * them in documents). Unreachable or 5xx is 503 with Retry-After; signing's refusals pass through with their code (the
 * platform's ServiceClient).
 */
export class SigningClient {
  private readonly signing: ServiceClient;

  constructor(baseUrl: string, timeoutMs = 60_000) {
    this.signing = new ServiceClient('signing', baseUrl, timeoutMs);
  }

  async sealConsultationSummary(
    credentials: Credentials,
    input: { consultationId: string; documentId: string; version: number },
  ): Promise<{ pdf: Buffer; seal: SummarySeal }> {
    const body = await this.signing.postJson<ServiceSealResponse>(serviceSealPath, {
      credentials,
      json: serviceSealBody({ kind: 'consultation-summary', ...input }),
    });
    return readServiceSeal(body);
  }
}
