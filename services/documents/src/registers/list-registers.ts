import { withTransaction } from '@vanthu/platform';
import { listRegisters as listRegisterRows } from '../repositories/registers-repository';
import type { Register } from '../schemas/register';
import type { DocumentsContext } from '../context';

export type ListRegistersInput = Record<string, never>;

/** The caller's agency's registers, oldest first. */
export async function listRegisters(_input: ListRegistersInput, ctx: DocumentsContext): Promise<Register[]> {
  return withTransaction(ctx.pool, (tx) => listRegisterRows(tx, ctx.identity.agencyCode));
}
