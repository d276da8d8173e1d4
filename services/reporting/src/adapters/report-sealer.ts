import { AppError } from '@vanthu/platform';

/** The organisation seal signing applied to a submitted report. */
export type ReportSeal = {
  sealId: string;
  level: string;
  certificateSha256: string;
  certificateSubject: string;
  signedAt: string;
};

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
 * (no seal key, 403) passes through as 422/403.
 */
export class SigningReportSealer implements ReportSealer {
  constructor(
    private readonly baseUrl: string,
    private readonly serviceIdentity: (agencyCode: string) => string,
    private readonly timeoutMs = 60_000,
  ) {}

  async sealMonthlyReport(input: {
    agencyCode: string;
    month: string;
    pdf: Buffer;
  }): Promise<{ pdf: Buffer; seal: ReportSeal }> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/v1/service-seals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-vanthu-identity': this.serviceIdentity(input.agencyCode) },
        body: JSON.stringify({ kind: 'monthly-report', month: input.month, pdf: input.pdf.toString('base64') }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new AppError('SERVICE_UNAVAILABLE', 'the signing service cannot be reached to seal the report', {
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
      const message = `signing could not seal the report of ${input.agencyCode} for ${input.month}: ${problem.detail ?? problem.title ?? `HTTP ${response.status}`}`;
      if (response.status >= 500) throw new AppError('SERVICE_UNAVAILABLE', message, { retryAfterSeconds: 5 });
      if (response.status === 403) throw new AppError('FORBIDDEN', message);
      throw new AppError('UNPROCESSABLE', message);
    }
    const body = (await response.json()) as {
      id: string;
      level: string;
      pdf: string;
      certificateSha256: string;
      certificateSubject: string;
      signedAt: string;
    };
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
