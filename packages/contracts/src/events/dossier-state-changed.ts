import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Timestamp, Uuid } from '../common';

export const dossierStateChangedV1 = {
  type: 'vn.vanthu.dossier.state.changed.v1',
  topic: 'vanthu.documents',
  aggregate: 'dossier',
  description:
    'A dossier was opened or closed (NĐ 30/2020 Điều 28–30); a closed dossier is due for hand-over to the agency archive within one year.',
  schema: Type.Object(
    {
      dossierId: Uuid,
      agencyCode: AgencyCode,
      fileCode: Type.String(),
      status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
      handoverDue: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
      changedBy: Type.String(),
      changedAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.dossier.state.changed.v1' },
  ),
} as const;

export type DossierStateChangedV1 = Static<typeof dossierStateChangedV1.schema>;
