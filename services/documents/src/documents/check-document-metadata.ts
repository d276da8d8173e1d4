import { AppError, withTransaction } from '@vanthu/platform';
import type { Identity, Pool } from '@vanthu/platform';
import { formFor } from '../organisations/form-policy';
import type { DocumentMetadata } from '../schemas/document';
import { findDocumentType } from '../rules/document-types';

/**
 * Refuses documents carrying state secrets before a byte of them is stored: độ mật documents
 * never enter this system (NĐ 30/2020 Phụ lục I.III.2 and the state-secrets law; Phụ lục VI
 * systems are for non-secret documents).
 */
export function refuseStateSecrets(metadata: { secrecy?: DocumentMetadata['secrecy'] }): void {
  if (metadata.secrecy !== undefined && metadata.secrecy !== 'normal') {
    throw new AppError(
      'UNPROCESSABLE',
      `documents classified ${metadata.secrecy} (độ mật) must not be stored in this system; handle them on paper under the state-secrets rules`,
      {
        errors: [{ field: 'metadata.secrecy', message: 'state secrets are refused' }],
      },
    );
  }
}

/** NĐ 30/2020 Điều 7: only the catalogue's types exist; an unknown code is a metadata error naming the field. */
export function checkTypeCode(typeCode: string | undefined, field = 'metadata.typeCode'): string | null {
  if (typeCode === undefined) return null;
  const type = findDocumentType(typeCode);
  if (!type)
    throw new AppError('INVALID_METADATA', `unknown document type ${typeCode}; see GET /v1/document-types`, {
      errors: [{ field, message: 'unknown document type' }],
    });
  return type.code;
}

/** Every client-supplied string in NFC (ARCHITECTURE.md: Vietnamese text is NFC everywhere). */
export function normaliseStrings<T>(value: T): T {
  if (typeof value === 'string') return value.normalize('NFC') as T;
  if (Array.isArray(value)) return value.map((item: unknown) => normaliseStrings(item)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, normaliseStrings(item)])) as T;
  }
  return value;
}

/**
 * What can be refused from the metadata alone, before the file is stored: state secrets, an
 * unknown type, and an outgoing draft of a type the agency's form policy keeps on paper.
 */
export async function checkDocumentMetadata(
  identity: Identity,
  metadata: DocumentMetadata,
  deps: { pool: Pool },
): Promise<void> {
  refuseStateSecrets(metadata);
  const typeCode = checkTypeCode(metadata.typeCode);
  if (typeCode && metadata.direction === 'outgoing') {
    const form = await withTransaction(deps.pool, (tx) => formFor(tx, identity.agencyCode, typeCode));
    if (form === 'paper') {
      throw new AppError(
        'UNPROCESSABLE',
        `${typeCode} documents are issued on paper only under the agency's form policy (GET /v1/document-types/form-policy)`,
        {
          errors: [{ field: 'metadata.typeCode', message: 'paper-only type' }],
        },
      );
    }
  }
}
