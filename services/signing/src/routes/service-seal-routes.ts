import { problemResponses, sendMutation } from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import { signingContext } from '../context';
import { ServiceSeal, ServiceSealRequest } from '../schemas/service-seals';
import { sealServiceDocument } from '../signatures/seal-service-document';
import type { SigningDeps } from '../signatures/signing-deps';

/** Organisation seals on files another vanthu service made itself (service identities only, not through the gateway). */
export async function serviceSealRoutes(app: ServiceApp, deps: SigningDeps): Promise<void> {
  app.addSchema(ServiceSeal);
  app.post(
    '/v1/service-seals',
    {
      bodyLimit: 48 * 1024 * 1024,
      schema: {
        operationId: 'sealServiceDocument',
        tags: ['signing'],
        summary:
          "The agency's organisation seal on a file a vanthu service made itself, for the agency its service identity names: the reporting service's monthly report, or the routing service's summary of a consultation's answers stored in documents (service-to-service, not routed by the gateway)",
        body: ServiceSealRequest,
        response: { 201: { $ref: 'ServiceSeal#' }, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const outcome = await sealServiceDocument(
        body.kind === 'monthly-report'
          ? { kind: body.kind, month: body.month, pdf: Buffer.from(body.pdf, 'base64') }
          : {
              kind: body.kind,
              consultationId: body.consultationId,
              documentId: body.documentId,
              version: body.version,
            },
        signingContext(request, deps, 'sealServiceDocument'),
      );
      return sendMutation(reply, outcome, { status: 201 });
    },
  );
}
