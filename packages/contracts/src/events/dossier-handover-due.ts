import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Timestamp, Uuid } from '../common';

export const dossierHandoverDueV1 = {
  type: 'vn.vanthu.dossier.handover.due.v1',
  topic: 'vanthu.documents',
  aggregate: 'dossier',
  description:
    'A closed dossier is due for hand-over to the agency archive within 30 days (NĐ 30/2020 Điều 31: within one year of closing; Phụ lục VI mục III.5: notify 30 days ahead). Sent once per dossier.',
  schema: Type.Object(
    {
      dossierId: Uuid,
      agencyCode: AgencyCode,
      fileCode: Type.String(),
      title: Type.String({ maxLength: 500 }),
      handoverDue: Type.String({ format: 'date' }),
      remindedAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.dossier.handover.due.v1' },
  ),
} as const;

export type DossierHandoverDueV1 = Static<typeof dossierHandoverDueV1.schema>;
