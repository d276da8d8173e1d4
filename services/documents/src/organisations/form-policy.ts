import { AppError, requireRole, withTransaction } from '@vanthu/platform';
import type { Tx } from '@vanthu/platform';
import type { DocumentsContext } from '../context';
import { findForm, listForms, upsertForms } from '../repositories/form-policies-repository';
import type { DeliveryForm } from '../repositories/form-policies-repository';
import { documentTypes, findDocumentType } from '../rules/document-types';

export type { DeliveryForm };
export type FormPolicyEntry = { typeCode: string; typeName: string; form: DeliveryForm; source: 'default' | 'agency' };

// The default policy is QĐ 648/QĐ-UBND (26/4/2019; docs/domain/directives.md): Phụ lục I electronic only,
// Phụ lục II electronic and paper, Phụ lục III paper only. Types it does not list follow the
// province's rule that documents are exchanged electronically (QĐ 133/2015/QĐ-UBND Điều 3).
const defaults: Record<string, DeliveryForm> = {
  BC: 'electronic',
  CT: 'electronic',
  CTr: 'electronic',
  KH: 'electronic',
  HD: 'electronic',
  QyĐ: 'electronic',
  QC: 'electronic',
  TB: 'electronic',
  CV: 'electronic',
  GM: 'electronic',
  CĐ: 'electronic',
  ĐA: 'electronic-and-paper',
  QĐ: 'electronic-and-paper',
  NQ: 'electronic-and-paper',
  TTr: 'electronic-and-paper',
  PG: 'electronic-and-paper',
  PC: 'electronic-and-paper',
  GUQ: 'electronic-and-paper',
  BGN: 'paper',
  BTT: 'paper',
  BB: 'paper',
  DA: 'paper',
  GGT: 'paper',
  GNP: 'paper',
  HĐ: 'paper',
};

export const defaultForm = (typeCode: string): DeliveryForm => defaults[typeCode.normalize('NFC')] ?? 'electronic';

export async function formFor(tx: Tx, agencyCode: string, typeCode: string): Promise<DeliveryForm> {
  return (await findForm(tx, agencyCode, typeCode)) ?? defaultForm(typeCode);
}

/** The agency's effective policy for every type of the catalogue. */
export async function getFormPolicy(
  _input: Record<string, never>,
  ctx: Pick<DocumentsContext, 'identity' | 'pool'>,
): Promise<FormPolicyEntry[]> {
  const own = await withTransaction(ctx.pool, (tx) => listForms(tx, ctx.identity.agencyCode));
  return documentTypes
    .filter((type) => type.kind === 'administrative')
    .map((type) => {
      const form = own.get(type.code);
      return {
        typeCode: type.code,
        typeName: type.name,
        form: form ?? defaultForm(type.code),
        source: form ? ('agency' as const) : ('default' as const),
      };
    });
}

/** Sets the agency's own forms for the listed types (others keep theirs), all or nothing. */
export async function setFormPolicy(
  input: { entries: { typeCode: string; form: DeliveryForm }[] },
  ctx: Pick<DocumentsContext, 'identity' | 'pool'>,
): Promise<FormPolicyEntry[]> {
  const { identity } = ctx;
  const { entries } = input;
  requireRole(identity, 'admin');
  const errors = entries.flatMap((entry, i) =>
    findDocumentType(entry.typeCode)?.kind === 'administrative'
      ? []
      : [{ field: `body.entries.${i}.typeCode`, message: 'unknown document type' }],
  );
  if (errors.length > 0) throw new AppError('VALIDATION_FAILED', 'unknown document types in the policy', { errors });
  await withTransaction(ctx.pool, (tx) =>
    upsertForms(
      tx,
      identity.agencyCode,
      entries.map((entry) => ({ typeCode: entry.typeCode.normalize('NFC'), form: entry.form })),
      identity.userId,
    ),
  );
  return getFormPolicy({}, ctx);
}
