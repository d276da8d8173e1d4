import { AppError, problemResponses } from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { documentTypes } from '../rules/document-types';
import { getFormPolicy, setFormPolicy } from '../organisations/form-policy';
import { importOrganisations } from '../organisations/import-organisations';
import { parseOrganisationsCsv } from '../organisations/parse-organisations-csv';
import { getOrganisation } from '../organisations/get-organisation';
import { documentsContext } from '../context';
import type { DocumentsServices } from '../context';
import { ImportResult, Organisation, OrganisationCodeParams, OrganisationImport } from '../schemas/organisation';

const DocumentTypeSchema = Type.Object({
  code: Type.String(),
  name: Type.String(),
  abbreviation: Type.Union([Type.String(), Type.Null()]),
  kind: Type.String(),
});

export async function organisationRoutes(app: ServiceApp, deps: DocumentsServices): Promise<void> {
  // The directory file may be CSV; it is parsed in the route's use case, not by fastify.
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: 20 * 1024 * 1024 }, (_request, body, done) =>
    done(null, body),
  );

  app.post(
    '/v1/organisations/imports',
    {
      bodyLimit: 20 * 1024 * 1024,
      schema: {
        operationId: 'importOrganisations',
        tags: ['organisations'],
        summary:
          'Load or refresh organisations (mã định danh), their units and people from JSON, or from CSV (text/csv) with the columns organisationCode,organisationName,organisationAbbreviation,parentCode,unitCode,unitName,unitAbbreviation. An admin imports only its own agency (its parentCode left out, empty or as the directory has it); a directory-admin imports any agency; any other row refuses the whole import with 403',
        consumes: ['application/json', 'text/csv'],
        body: Type.Union([OrganisationImport, Type.String({ description: 'CSV text' })]),
        response: { 200: ImportResult, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const body: unknown = request.body;
      let organisations: Organisation[];
      if (typeof body === 'string') organisations = await parseOrganisationsCsv(body);
      else if (Value.Check(OrganisationImport, body)) organisations = body.organisations;
      else throw new AppError('VALIDATION_FAILED', 'send {"organisations":[…]} as JSON or the directory as text/csv');
      return importOrganisations({ organisations }, documentsContext(request, deps, 'importOrganisations'));
    },
  );

  app.get(
    '/v1/organisations/:code',
    {
      schema: {
        operationId: 'getOrganisation',
        tags: ['organisations'],
        summary: 'An organisation of the directory with its units and people',
        params: OrganisationCodeParams,
        response: { 200: Organisation, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) =>
      getOrganisation({ code: request.params.code }, documentsContext(request, deps, 'getOrganisation')),
  );

  app.get(
    '/v1/document-types',
    {
      schema: {
        operationId: 'listDocumentTypes',
        tags: ['organisations'],
        summary:
          'The document-type catalogue: the 29 types of NĐ 30/2020 Điều 7 with Phụ lục III abbreviations, and the copy kinds',
        response: { 200: Type.Object({ items: Type.Array(DocumentTypeSchema) }), ...problemResponses(401) },
      },
    },
    async () => ({ items: [...documentTypes] }),
  );

  const Form = Type.Union([Type.Literal('electronic'), Type.Literal('electronic-and-paper'), Type.Literal('paper')]);
  const FormPolicy = Type.Object({
    items: Type.Array(
      Type.Object({
        typeCode: Type.String(),
        typeName: Type.String(),
        form: Form,
        source: Type.String({ description: 'default (QĐ 648/QĐ-UBND Phụ lục I–III) or agency' }),
      }),
    ),
  });

  app.get(
    '/v1/document-types/form-policy',
    {
      schema: {
        operationId: 'getFormPolicy',
        tags: ['organisations'],
        summary: 'The caller’s agency form policy: which types go electronic only, electronic and paper, or paper only',
        response: { 200: FormPolicy, ...problemResponses(401) },
      },
    },
    async (request) => ({ items: await getFormPolicy({}, documentsContext(request, deps, 'getFormPolicy')) }),
  );

  app.put(
    '/v1/document-types/form-policy',
    {
      schema: {
        operationId: 'setFormPolicy',
        tags: ['organisations'],
        summary: 'Set the agency’s own form for some types (administrators)',
        body: Type.Object(
          {
            entries: Type.Array(
              Type.Object({ typeCode: Type.String({ maxLength: 10 }), form: Form }, { additionalProperties: false }),
              { minItems: 1, maxItems: 100 },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: FormPolicy, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => ({
      items: await setFormPolicy({ entries: request.body.entries }, documentsContext(request, deps, 'setFormPolicy')),
    }),
  );
}
