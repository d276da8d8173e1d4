import { Type } from '@sinclair/typebox';
import { problemResponses } from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import { searchDocuments } from '../documents/search-documents';
import { saveSearch } from '../documents/save-search';
import { listSavedSearches } from '../documents/list-saved-searches';
import { runSavedSearch } from '../documents/run-saved-search';
import { documentsContext } from '../context';
import type { DocumentsServices } from '../context';
import { NewSavedSearch, SavedSearch, SearchQuery, SearchResults } from '../schemas/search';

const Paging = Type.Object(
  {
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);

export async function searchRoutes(app: ServiceApp, deps: DocumentsServices): Promise<void> {
  app.get(
    '/v1/documents',
    {
      schema: {
        operationId: 'searchDocuments',
        tags: ['search'],
        summary:
          'Search and list the agency’s documents: accent-insensitive words plus filters, newest first, cursor-paginated',
        querystring: SearchQuery,
        response: { 200: SearchResults, ...problemResponses(400, 401) },
      },
    },
    async (request) => {
      const { cursor, limit, ...criteria } = request.query;
      return searchDocuments(
        { criteria, ...(cursor ? { cursor } : {}), limit: limit ?? 50 },
        documentsContext(request, deps, 'searchDocuments'),
      );
    },
  );

  app.post(
    '/v1/searches',
    {
      schema: {
        operationId: 'saveSearch',
        tags: ['search'],
        summary: 'Save a search under a name (per user)',
        body: NewSavedSearch,
        response: { 201: SavedSearch, ...problemResponses(400, 401, 409) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await saveSearch({ search: request.body }, documentsContext(request, deps, 'saveSearch'))),
  );

  app.get(
    '/v1/searches',
    {
      schema: {
        operationId: 'listSavedSearches',
        tags: ['search'],
        summary: 'The caller’s saved searches',
        response: { 200: Type.Object({ items: Type.Array(SavedSearch) }), ...problemResponses(401) },
      },
    },
    async (request) => ({ items: await listSavedSearches({}, documentsContext(request, deps, 'listSavedSearches')) }),
  );

  app.get(
    '/v1/searches/:id/results',
    {
      schema: {
        operationId: 'runSavedSearch',
        tags: ['search'],
        summary: 'Run a saved search now',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
        querystring: Paging,
        response: { 200: SearchResults, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) =>
      runSavedSearch(
        {
          searchId: request.params.id,
          ...(request.query.cursor ? { cursor: request.query.cursor } : {}),
          limit: request.query.limit ?? 50,
        },
        documentsContext(request, deps, 'runSavedSearch'),
      ),
  );
}
