import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { DocumentDirection } from '@vanthu/contracts';
import { Urgency } from './document';

const searchFields = {
  q: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description:
        'Words matched without accents in subject, số/ký hiệu, signer and PDF text ("quyet dinh" finds "Quyết định")',
    }),
  ),
  direction: Type.Optional(DocumentDirection),
  typeCode: Type.Optional(Type.String({ maxLength: 10 })),
  registerId: Type.Optional(Type.String({ format: 'uuid' })),
  status: Type.Optional(
    Type.Union(
      ['draft', 'registered', 'issued', 'recalled', 'revoked'].map((s) => Type.Literal(s)),
      { description: 'Revoked documents appear only when asked for' },
    ),
  ),
  urgency: Type.Optional(Urgency),
  from: Type.Optional(Type.String({ format: 'date', description: 'Created on or after (Vietnam date)' })),
  to: Type.Optional(Type.String({ format: 'date', description: 'Created on or before (Vietnam date)' })),
};

export const SearchCriteria = Type.Object(searchFields, { additionalProperties: false, $id: 'SearchCriteria' });
export type SearchCriteria = Static<typeof SearchCriteria>;

export const SearchQuery = Type.Object(
  {
    ...searchFields,
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);
export type SearchQuery = Static<typeof SearchQuery>;

export const DocumentSummary = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    direction: DocumentDirection,
    subject: Type.String(),
    typeCode: Type.Union([Type.String(), Type.Null()]),
    urgency: Type.String(),
    status: Type.String(),
    notation: Type.Union([Type.String(), Type.Null()]),
    number: Type.Union([Type.Integer(), Type.Null()]),
    registerId: Type.Union([Type.String(), Type.Null()]),
    registeredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'DocumentSummary' },
);
export type DocumentSummary = Static<typeof DocumentSummary>;

export const SearchResults = Type.Object({
  items: Type.Array(DocumentSummary),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export type SearchResults = Static<typeof SearchResults>;

export const NewSavedSearch = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), criteria: SearchCriteria },
  { additionalProperties: false },
);
export type NewSavedSearch = Static<typeof NewSavedSearch>;

export const SavedSearch = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    criteria: SearchCriteria,
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'SavedSearch' },
);
export type SavedSearch = Static<typeof SavedSearch>;
