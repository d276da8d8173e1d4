import { randomUUID } from 'node:crypto';
import { AppError, enqueueEvent } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import type { DocumentsContext } from '../context';
import { documentEventMeta } from '../documents/document-events';
import { dossierStateChangedV1 } from '@vanthu/contracts';
import type { DossierStateChangedV1 } from '@vanthu/contracts';
import { findDossier, insertDossier } from '../repositories/dossiers-repository';
import type { Dossier, NewDossier } from '../schemas/dossier';
import { vietnamDate, vietnamIsoDate } from '../rules/numbering';

/**
 * Opens a hồ sơ in the agency's yearly Danh mục hồ sơ (NĐ 30/2020 Điều 28–29). FileCode is
 * OrganId.year.FileNotation; the system fills OrganId and the year (Phụ lục VI mục III.1).
 */
export type CreateDossierInput = { dossier: NewDossier };

export async function createDossier(input: CreateDossierInput, ctx: DocumentsContext): Promise<Mutation<Dossier>> {
  const { identity } = ctx;
  const { dossier } = input;
  const now = ctx.clock();
  return ctx.runInTransaction(async (tx) => {
    const id = randomUUID();
    const inserted = await insertDossier(tx, {
      id,
      agencyCode: identity.agencyCode,
      year: dossier.year ?? vietnamDate(now).year,
      fileNotation: dossier.fileNotation.normalize('NFC'),
      title: dossier.title.normalize('NFC'),
      maintenance: dossier.maintenance.normalize('NFC'),
      rights: dossier.rights?.normalize('NFC') ?? null,
      creator: (dossier.creator ?? identity.name ?? identity.userId).normalize('NFC').slice(0, 30),
      language: dossier.language?.normalize('NFC') ?? 'Tiếng Việt',
      description: dossier.description?.normalize('NFC') ?? null,
      startDate: dossier.startDate ?? vietnamIsoDate(now),
      createdBy: identity.userId,
    });
    if (!inserted)
      throw new AppError('CONFLICT', `the Danh mục hồ sơ already has ${dossier.fileNotation} for that year`);
    const created = await findDossier(tx, identity.agencyCode, id);
    if (!created) throw new Error('dossier vanished inside its own transaction');
    const event: DossierStateChangedV1 = {
      dossierId: id,
      agencyCode: identity.agencyCode,
      fileCode: created.fileCode,
      status: 'open',
      handoverDue: null,
      changedBy: identity.userId,
      changedAt: created.createdAt,
    };
    await enqueueEvent(tx, dossierStateChangedV1, id, event, documentEventMeta(ctx), ctx.topicPrefix);
    return { ...created, documents: [] };
  });
}
