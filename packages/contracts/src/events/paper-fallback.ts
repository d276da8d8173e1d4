import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Timestamp, Uuid } from '../common';

// Paper fallback (docs/domain/directives.md, Ngã Năm Điều 8.5c; TT 01/2019 Điều 11.2): while an agency's system is
// in incident mode its records office may issue on paper, and issues the digitised copy once the incident ends.

export const incidentDeclaredV1 = {
  type: 'vn.vanthu.incident.declared.v1',
  topic: 'vanthu.routing',
  aggregate: 'incident',
  description: 'An agency administrator declared incident mode (sự cố): the records office may issue on paper.',
  schema: Type.Object(
    {
      incidentId: Uuid,
      agencyCode: AgencyCode,
      reason: Type.String({ minLength: 1, maxLength: 2000 }),
      startedAt: Timestamp,
      declaredBy: Type.String(),
      declaredAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.incident.declared.v1' },
  ),
} as const;
export type IncidentDeclaredV1 = Static<typeof incidentDeclaredV1.schema>;

export const incidentEndedV1 = {
  type: 'vn.vanthu.incident.ended.v1',
  topic: 'vanthu.routing',
  aggregate: 'incident',
  description:
    'Incident mode ended: every document issued on paper during it now waits for its digitised copy (a task of the clerk who issued it).',
  schema: Type.Object(
    {
      incidentId: Uuid,
      agencyCode: AgencyCode,
      startedAt: Timestamp,
      endedAt: Timestamp,
      endedBy: Type.String(),
      paperIssues: Type.Integer({ minimum: 0, description: 'Documents issued on paper during the incident' }),
    },
    { additionalProperties: false, $id: 'vn.vanthu.incident.ended.v1' },
  ),
} as const;
export type IncidentEndedV1 = Static<typeof incidentEndedV1.schema>;

export const processPaperIssuedV1 = {
  type: 'vn.vanthu.process.paper-issued.v1',
  topic: 'vanthu.routing',
  aggregate: 'process',
  description:
    'During incident mode the clerk issued the document on paper; the process completes when the digitised copy is made after the incident.',
  schema: Type.Object(
    {
      processId: Uuid,
      agencyCode: AgencyCode,
      documentId: Uuid,
      incidentId: Uuid,
      taskId: Uuid,
      paperNotation: Type.String({ description: 'Số, ký hiệu written on the paper original' }),
      issuedBy: Type.String(),
      issuedAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.process.paper-issued.v1' },
  ),
} as const;
export type ProcessPaperIssuedV1 = Static<typeof processPaperIssuedV1.schema>;
