import { randomUUID } from 'node:crypto';
import { AppError } from '@vanthu/platform';
import type { Tx } from '@vanthu/platform';
import { defaultDefinitions } from '../definitions/defaults';
import { ensureDefaultDefinition, findAgencyDefinition } from '../repositories/definitions-repository';
import type { StoredDefinition } from '../repositories/definitions-repository';

/** The definition a new process of this kind starts on: the agency's latest, else the shipped default. */
export async function resolveDefinition(tx: Tx, agencyCode: string, kind: string): Promise<StoredDefinition> {
  const own = await findAgencyDefinition(tx, agencyCode, kind);
  if (own) return own;
  const shipped = defaultDefinitions[kind as keyof typeof defaultDefinitions];
  if (!shipped) throw new AppError('UNPROCESSABLE', `no process definition of kind ${kind}; upload one first`);
  return ensureDefaultDefinition(tx, { id: randomUUID(), kind, definition: shipped });
}
