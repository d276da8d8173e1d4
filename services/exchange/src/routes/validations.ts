import type { Clock, ServiceApp } from '@vanthu/platform';
import { problemResponses, systemClock } from '@vanthu/platform';
import { validateEdxml } from '../domain/validate-edxml';
import { EdxmlValidation } from '../schemas/exchange';

export async function validationRoutes(
  app: ServiceApp,
  deps: { maxMessageBytes: number; trust: Buffer[]; clock?: Clock },
): Promise<void> {
  for (const type of ['application/xml', 'text/xml', 'application/edxml+xml']) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: deps.maxMessageBytes }, (_request, body, done) =>
      done(null, body),
    );
  }
  app.post(
    '/v1/exchanges/validations',
    {
      bodyLimit: deps.maxMessageBytes,
      schema: {
        operationId: 'validateEdxml',
        tags: ['exchange'],
        summary:
          'Parse an edXML message or status message without storing anything: its fields, attachments and every conformance problem',
        consumes: ['application/xml'],
        response: { 200: EdxmlValidation, ...problemResponses(400, 401, 413, 415) },
      },
    },
    async (request) =>
      validateEdxml(
        { message: request.body as Buffer },
        { maxAttachmentBytes: deps.maxMessageBytes, trust: deps.trust, at: (deps.clock ?? systemClock)() },
      ),
  );
}
