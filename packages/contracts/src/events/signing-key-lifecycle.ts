import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Sha256Hex, Timestamp, Uuid } from '../common';

// An agency's organisation seal keys over their life (generated in the HSM, certified, rotated, retired), so that
// others can follow which key seals for whom without asking signing. Key material never travels: the token's key
// id, the SHA-256 of the public key and of the certificate.

export const signingKeyGeneratedV1 = {
  type: 'vn.vanthu.signing-key.generated.v1',
  topic: 'vanthu.signing',
  aggregate: 'signing-key',
  description:
    "An administrator generated an organisation seal key pair in the HSM for the agency; its certification request waits for the CA's certificate.",
  schema: Type.Object(
    {
      signingKeyId: Uuid,
      agencyCode: AgencyCode,
      keyIdHex: Type.String({ pattern: '^[0-9a-f]+$', description: 'CKA_ID of the key in the HSM' }),
      algorithm: Type.Union([Type.Literal('rsa-2048'), Type.Literal('rsa-3072')]),
      publicKeySha256: Sha256Hex,
      subject: Type.String({ description: 'The subject the certification request asks for' }),
      rotatesKeyId: Type.Union([Uuid, Type.Null()], { description: 'The key this one is to replace' }),
      generatedBy: Type.String(),
      generatedAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.signing-key.generated.v1' },
  ),
} as const;
export type SigningKeyGeneratedV1 = Static<typeof signingKeyGeneratedV1.schema>;

export const signingKeyActivatedV1 = {
  type: 'vn.vanthu.signing-key.activated.v1',
  topic: 'vanthu.signing',
  aggregate: 'signing-key',
  description:
    "The CA's certificate for an agency's seal key was attached (its public key is the HSM key's, it chains to the trust store): the key seals from now on, as the agency's newest active key.",
  schema: Type.Object(
    {
      signingKeyId: Uuid,
      agencyCode: AgencyCode,
      keyIdHex: Type.String({ pattern: '^[0-9a-f]+$' }),
      certificateSha256: Sha256Hex,
      certificateSubject: Type.String(),
      notBefore: Timestamp,
      notAfter: Timestamp,
      activatedBy: Type.String(),
      activatedAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.signing-key.activated.v1' },
  ),
} as const;
export type SigningKeyActivatedV1 = Static<typeof signingKeyActivatedV1.schema>;

export const signingKeyRotatedV1 = {
  type: 'vn.vanthu.signing-key.rotated.v1',
  topic: 'vanthu.signing',
  aggregate: 'signing-key',
  description:
    "A key generated to replace an agency's seal key was activated: seals are made with it from now on, and the key it replaces stays valid until it is retired or its certificate expires.",
  schema: Type.Object(
    {
      signingKeyId: Uuid,
      previousKeyId: Uuid,
      agencyCode: AgencyCode,
      previousNotAfter: Type.Union([Timestamp, Type.Null()], {
        description: "When the replaced key's certificate expires (the end of the overlap at the latest)",
      }),
      rotatedBy: Type.String(),
      rotatedAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.signing-key.rotated.v1' },
  ),
} as const;
export type SigningKeyRotatedV1 = Static<typeof signingKeyRotatedV1.schema>;

export const signingKeyRetiredV1 = {
  type: 'vn.vanthu.signing-key.retired.v1',
  topic: 'vanthu.signing',
  aggregate: 'signing-key',
  description:
    "An administrator retired one of the agency's seal keys: it never seals again (it stays in the HSM); signatures already made with it stay valid.",
  schema: Type.Object(
    {
      signingKeyId: Uuid,
      agencyCode: AgencyCode,
      keyIdHex: Type.String({ pattern: '^[0-9a-f]+$' }),
      reason: Type.Union([Type.String(), Type.Null()]),
      retiredBy: Type.String(),
      retiredAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.signing-key.retired.v1' },
  ),
} as const;
export type SigningKeyRetiredV1 = Static<typeof signingKeyRetiredV1.schema>;
