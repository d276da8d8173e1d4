import type { components, operations } from '../generated/openapi';

// One mapping of signing's `POST /v1/service-seals` for the services that call it (reporting seals its monthly
// reports, routing its consultation summaries), typed from the generated OpenAPI document, so that a change to the
// operation breaks both callers' compilation instead of one of them at run time.

export const serviceSealPath = '/v1/service-seals';

/** The request body, as the OpenAPI document declares it. */
export type ServiceSealBody = operations['sealServiceDocument']['requestBody']['content']['application/json'];
/** The answer, as the OpenAPI document declares it. */
export type ServiceSealResponse = components['schemas']['ServiceSeal'];

/** What a service asks signing to seal: its own file (a monthly report) or a document it stored (a summary). */
export type ServiceSealRequest =
  | { kind: 'monthly-report'; month: string; pdf: Buffer }
  | { kind: 'consultation-summary'; consultationId: string; documentId: string; version: number };

/** The organisation seal signing applied, as the calling service records it beside the sealed file. */
export type ServiceSeal = {
  sealId: string;
  level: string;
  certificateSha256: string;
  certificateSubject: string;
  signedAt: string;
};

export function serviceSealBody(request: ServiceSealRequest): ServiceSealBody {
  return request.kind === 'monthly-report'
    ? { kind: request.kind, month: request.month, pdf: request.pdf.toString('base64') }
    : {
        kind: request.kind,
        consultationId: request.consultationId,
        documentId: request.documentId,
        version: request.version,
      };
}

/** The sealed PDF's bytes and the seal's record from signing's answer. */
export function readServiceSeal(body: ServiceSealResponse): { pdf: Buffer; seal: ServiceSeal } {
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
