import { Type } from '@sinclair/typebox';
import { AppError, problemResponses } from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { validateBytes } from '../validations/validate-document';
import type { ValidationRequestFields } from '../validations/validate-document';
import { validateStoredDocument } from '../validations/validate-stored-document';
import type { ValidationDeps } from '../validations/validation-deps';
import { ReportFormat, ValidationReportSchema, ValidationRequest } from '../schemas/validation';
import { renderReportPdf } from '../validation/report-pdf';
import type { ValidationReport } from '../validation/report';
import { callerOf } from './caller';

const FIELDS = new Set(['trustAnchors', 'validationTime', 'revocation']);

function wantsPdf(request: FastifyRequest): boolean {
  const format = (request.query as { format?: string }).format;
  const accept = String(request.headers.accept ?? '');
  return (
    format === 'pdf' || (format === undefined && /application\/pdf/.test(accept) && !/application\/json/.test(accept))
  );
}

async function send(
  request: FastifyRequest,
  reply: FastifyReply,
  report: ValidationReport,
  deps: ValidationDeps,
): Promise<unknown> {
  if (wantsPdf(request)) {
    const pdf = await renderReportPdf(report, deps.fontPath);
    return reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `inline; filename="bao-cao-kiem-tra-chu-ky-${report.sha256.slice(0, 12)}.pdf"`)
      .send(pdf);
  }
  return reply.send(report);
}

export async function validationRoutes(app: ServiceApp, deps: ValidationDeps): Promise<void> {
  app.addSchema(ValidationReportSchema);
  const okResponse = {
    200: {
      description: 'The report (JSON), or with ?format=pdf / Accept: application/pdf a readable Vietnamese PDF',
      content: {
        'application/json': { schema: { $ref: 'ValidationReport#' } },
        'application/pdf': { schema: { type: 'string', contentEncoding: 'binary' } },
      },
    },
  };

  app.post(
    '/v1/validations',
    {
      schema: {
        operationId: 'validatePdf',
        tags: ['validation'],
        summary:
          'Validate the signatures of an uploaded PDF: ETSI indications per signature, trust, revocation, changes after signing, one verdict',
        consumes: ['multipart/form-data'],
        querystring: ReportFormat,
        body: ValidationRequest,
        response: { ...okResponse, ...problemResponses(400, 401, 413, 415) },
      },
    },
    async (request, reply) => {
      let file: Buffer | undefined;
      const fields: ValidationRequestFields = {};
      try {
        for await (const part of request.parts({
          limits: { fileSize: deps.maxFileBytes, files: 1, fields: 3, parts: 4, fieldSize: 1024 * 1024 },
        })) {
          if (part.type === 'file') {
            if (part.fieldname !== 'file')
              throw new AppError('VALIDATION_FAILED', `unexpected file field ${part.fieldname}`, {
                errors: [{ field: part.fieldname, message: 'unexpected' }],
              });
            file = await part.toBuffer();
          } else {
            if (!FIELDS.has(part.fieldname))
              throw new AppError('VALIDATION_FAILED', `unexpected field ${part.fieldname}`, {
                errors: [
                  {
                    field: part.fieldname,
                    message: 'unexpected; allowed: file, trustAnchors, validationTime, revocation',
                  },
                ],
              });
            fields[part.fieldname as keyof ValidationRequestFields] = String(part.value);
          }
        }
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'FST_REQ_FILE_TOO_LARGE')
          throw new AppError('PAYLOAD_TOO_LARGE', `file: larger than ${deps.maxFileBytes} bytes`);
        if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT')
          throw new AppError('VALIDATION_FAILED', 'one file and at most trustAnchors, validationTime and revocation', {
            errors: [{ field: 'file', message: 'one file only' }],
          });
        throw error;
      }
      if (!file)
        throw new AppError('VALIDATION_FAILED', 'the multipart field file is required', {
          errors: [{ field: 'file', message: 'required' }],
        });
      const report = await validateBytes({ bytes: file, fields }, { ...callerOf(request), validation: deps });
      return send(request, reply, report, deps);
    },
  );

  app.get(
    '/v1/documents/:documentId/validation',
    {
      schema: {
        operationId: 'validateStoredDocument',
        tags: ['validation'],
        summary:
          'Validate a stored document version (the current one by default); reports are cached by content SHA-256',
        params: Type.Object({ documentId: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object({ ...ReportFormat.properties, version: Type.Optional(Type.Integer({ minimum: 1 })) }),
        response: { ...okResponse, ...problemResponses(400, 401, 404, 500, 503) },
      },
    },
    async (request, reply) => {
      const result = await validateStoredDocument(
        { documentId: request.params.documentId, version: request.query.version, trigger: 'request' },
        { ...callerOf(request), validation: deps },
      );
      return send(request, reply, result.report, deps);
    },
  );
}
