import { Type } from '@sinclair/typebox';
import { AgencyCode } from '@vanthu/contracts';
import { certificateFacts } from './signing';

export const GenerateSigningKeyRequest = Type.Object(
  {
    agencyCode: AgencyCode,
    algorithm: Type.Optional(
      Type.Union([Type.Literal('rsa-2048'), Type.Literal('rsa-3072')], {
        default: 'rsa-3072',
        description: 'RSA modulus of the key pair generated in the HSM',
      }),
    ),
  },
  { additionalProperties: false },
);

export const SigningKey = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    agencyCode: Type.String(),
    status: Type.Union([Type.Literal('pending'), Type.Literal('active'), Type.Literal('retired')], {
      description: 'pending: waiting for its certificate; active: may seal; retired: never seals again',
    }),
    keyIdHex: Type.String({ description: 'CKA_ID of the key pair in the HSM' }),
    keyLabel: Type.String(),
    algorithm: Type.String(),
    subject: Type.String({ description: 'The subject the certification request asks for' }),
    csr: Type.String({ description: 'PKCS#10 certification request (PEM), signed by the HSM key' }),
    publicKey: Type.String({ description: 'The public key (SubjectPublicKeyInfo, PEM)' }),
    rotatesKeyId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    certificate: Type.Union([
      Type.Object({ pem: Type.String({ description: 'The certificate the CA issued (PEM)' }), ...certificateFacts }),
      Type.Null(),
    ]),
    generatedBy: Type.String(),
    generatedAt: Type.String({ format: 'date-time' }),
    activatedBy: Type.Union([Type.String(), Type.Null()]),
    activatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    retiredBy: Type.Union([Type.String(), Type.Null()]),
    retiredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    retirementReason: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'SigningKey' },
);

export const AttachCertificateRequest = Type.Object(
  {
    certificate: Type.String({ minLength: 100, description: "The CA's certificate for the key (PEM or base64 DER)" }),
    chain: Type.Optional(
      Type.Array(Type.String({ minLength: 100 }), {
        maxItems: 5,
        description: 'Intermediate CA certificates (PEM or base64 DER), if the trust store lacks them',
      }),
    ),
  },
  { additionalProperties: false },
);

export const RotateSigningKeyRequest = Type.Object(
  {
    algorithm: Type.Optional(
      Type.Union([Type.Literal('rsa-2048'), Type.Literal('rsa-3072')], {
        description: 'RSA modulus of the new key pair; the replaced key’s by default',
      }),
    ),
  },
  { additionalProperties: false },
);

export const RetireSigningKeyRequest = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) },
  { additionalProperties: false },
);
