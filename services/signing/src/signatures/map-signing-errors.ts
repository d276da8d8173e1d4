import { AppError } from '@vanthu/platform';
import { PdfFormatError } from '@vanthu/pdf';
import { HsmUnavailableError } from '../hsm/hsm-connection';
import { CertificateRevokedError, RevocationUnavailableError } from '../pades/revocation';
import { TimestampUnavailableError } from '../pades/timestamp-client';

/** Infrastructure and input failures of signing as problem+json: retryable ones are 503 with Retry-After. */
export function toSigningError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (error instanceof PdfFormatError)
    return new AppError('UNPROCESSABLE', `the PDF cannot be signed: ${error.message}`, {
      cause: error,
      errors: [{ field: 'file', message: error.message }],
    });
  if (error instanceof HsmUnavailableError)
    return new AppError('SERVICE_UNAVAILABLE', 'the organisation key device (HSM) is unavailable; try again shortly', {
      cause: error,
      retryAfterSeconds: 30,
    });
  if (error instanceof TimestampUnavailableError)
    return new AppError('SERVICE_UNAVAILABLE', 'no time-stamping authority answered; try again shortly', {
      cause: error,
      retryAfterSeconds: 10,
    });
  if (error instanceof RevocationUnavailableError) {
    if (error instanceof CertificateRevokedError)
      return new AppError('UNPROCESSABLE', `the certificate cannot sign: ${error.message}`, { cause: error });
    return new AppError('SERVICE_UNAVAILABLE', 'revocation information (OCSP/CRL) is unavailable; try again shortly', {
      cause: error,
      retryAfterSeconds: 10,
    });
  }
  return error;
}

export async function mapSigningErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toSigningError(error);
  }
}
