import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Sha256Hex, Timestamp, Uuid } from '../common';

export const signatureAppliedV1 = {
  type: 'vn.vanthu.signature.applied.v1',
  topic: 'vanthu.signing',
  aggregate: 'document',
  description:
    'A PAdES signature (initial, approval, organisation seal, attachment, copy, digitisation or a consultation answer) was added to a document as its next version.',
  schema: Type.Object(
    {
      signatureId: Uuid,
      documentId: Uuid,
      agencyCode: AgencyCode,
      kind: Type.Union(
        ['initial', 'approval', 'issue', 'attachment', 'copy', 'digitisation', 'consultation-answer'].map((k) =>
          Type.Literal(k),
        ),
        {
          description:
            'consultation-answer: a member signed their answer sheet of a consultation (lấy ý kiến) with their own certificate',
        },
      ),
      level: Type.Union(['B-B', 'B-T', 'B-LT', 'B-LTA'].map((k) => Type.Literal(k))),
      signedVersion: Type.Integer({ minimum: 1, description: 'The version that was signed' }),
      version: Type.Integer({ minimum: 2, description: 'The version holding the signature' }),
      sha256: Sha256Hex,
      signerUserId: Type.Union([Type.String(), Type.Null()], {
        description: 'The person who signed, null for an organisation seal',
      }),
      certificateSha256: Sha256Hex,
      certificateSubject: Type.String(),
      authorityPrefix: Type.Union([Type.String(), Type.Null()], {
        description: 'TM., Q., KT., TL., TUQ. (NĐ 30 Phụ lục I.II.7.b)',
      }),
      signedAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.signature.applied.v1' },
  ),
} as const;

export type SignatureAppliedV1 = Static<typeof signatureAppliedV1.schema>;
