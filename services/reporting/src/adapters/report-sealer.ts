import { readServiceSeal, serviceSealBody, serviceSealPath } from '@vanthu/client';
import type { ServiceSeal, ServiceSealResponse } from '@vanthu/client';
import { ServiceClient } from '@vanthu/platform';

/** The organisation seal signing applied to a submitted report. */
export type ReportSeal = ServiceSeal;

/** Seals an agency's monthly report PDF with that agency's organisation signature. */
export type ReportSealer = {
  sealMonthlyReport(input: {
    agencyCode: string;
    month: string;
    pdf: Buffer;
  }): Promise<{ pdf: Buffer; seal: ReportSeal }>;
};

/**
 * The signing service's `POST /v1/service-seals`, called with reporting's own service identity (service:reporting,
 * scoped to the agency whose report it is): signing seals only a reporting monthly report of that agency, with that
 * agency's key in its HSM. Unreachable or 5xx is 503 (the month-start job tries again on its next tick); a refusal
 * (no seal key, 403) passes through with its code (the platform's ServiceClient).
 */
export class SigningReportSealer implements ReportSealer {
  private readonly signing: ServiceClient;

  constructor(
    baseUrl: string,
    private readonly serviceIdentity: (agencyCode: string) => string,
    timeoutMs = 60_000,
  ) {
    this.signing = new ServiceClient('signing', baseUrl, timeoutMs);
  }

  async sealMonthlyReport(input: {
    agencyCode: string;
    month: string;
    pdf: Buffer;
  }): Promise<{ pdf: Buffer; seal: ReportSeal }> {
    const body = await this.signing.postJson<ServiceSealResponse>(serviceSealPath, {
      credentials: { identity: this.serviceIdentity(input.agencyCode) },
      json: serviceSealBody({ kind: 'monthly-report', month: input.month, pdf: input.pdf }),
    });
    return readServiceSeal(body);
  }
}
