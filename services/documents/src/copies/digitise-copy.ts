import { randomUUID } from 'node:crypto';
import fsp from 'node:fs/promises';
import { PDFDocument } from 'pdf-lib';
import { AppError, enqueueEvent, requireRole } from '@vanthu/platform';
import type { Identity, TransactionRunner } from '@vanthu/platform';
import { copyMadeV1, documentCreatedV1 } from '@vanthu/contracts';
import type { CopyMadeV1, DocumentCreatedV1 } from '@vanthu/contracts';
import { insertCopy } from '../repositories/copies-repository';
import { findDocument, insertBlob, insertDocument } from '../repositories/documents-repository';
import { findOrganisation } from '../repositories/organisations-repository';
import { takeNextNumber } from '../repositories/registers-repository';
import type { ScanCopyMetadata } from '../schemas/copy';
import type { Document } from '../schemas/document';
import { buildNotation, vietnamDate } from '../rules/numbering';
import { foldForSearch } from '../rules/search-text';
import type { StoredContent } from '../documents/create-document';
import type { BlobStore, StoredBlob } from '../storage/blob-store';
import { checkScanQuality } from '../rules/check-scan-quality';

/** Phụ lục I Phần II: a digitised copy is a PDF of version 1.4 or later, colour, ≥ 200 dpi, 100 % scale. */
export async function checkScan(blobs: BlobStore, blob: StoredBlob): Promise<void> {
  const match = /%PDF-(\d)\.(\d)/.exec(blob.head.subarray(0, 1024).toString('latin1'));
  const version = match ? Number(match[1]) + Number(match[2]) / 10 : 0;
  if (version < 1.4)
    throw new AppError(
      'UNPROCESSABLE',
      `a digitised copy must be PDF 1.4 or later; this file is PDF ${match ? `${match[1]}.${match[2]}` : 'of unknown version'}`,
    );
  checkScanQuality(
    await PDFDocument.load(await fsp.readFile(blobs.pathOf(blob.sha256)), {
      ignoreEncryption: true,
      updateMetadata: false,
    }),
  );
}

/**
 * Bản sao y from paper to electronic (NĐ 30/2020 Điều 25.1.c): the uploaded scan becomes a new
 * document numbered in the copy series (`{số}/SY-{agency}`); the organisation's signature,
 * which carries the copy form and time (Phụ lục I Phần II), is applied afterwards by signing.
 */
export async function digitiseCopy(
  command: { identity: Identity; metadata: ScanCopyMetadata; content: StoredContent; requestId: string },
  deps: { runInTransaction: TransactionRunner; topicPrefix: string; source: string },
): Promise<{ document: Document; replayed: boolean }> {
  const { identity, metadata, content } = command;
  requireRole(identity, 'clerk');
  if (!metadata.sourceDocumentId && !metadata.sourceDescription) {
    throw new AppError('INVALID_METADATA', 'name the paper original: sourceDocumentId or sourceDescription', {
      errors: [{ field: 'metadata.sourceDescription', message: 'required without sourceDocumentId' }],
    });
  }
  const { result, replayed } = await deps.runInTransaction(async (tx) => {
    const source = metadata.sourceDocumentId
      ? await findDocument(tx, identity.agencyCode, metadata.sourceDocumentId)
      : undefined;
    if (metadata.sourceDocumentId && !source)
      throw new AppError('NOT_FOUND', `document ${metadata.sourceDocumentId} not found`);
    const organisation = await findOrganisation(tx, identity.agencyCode);
    if (!organisation)
      throw new AppError(
        'UNPROCESSABLE',
        `agency ${identity.agencyCode} is not in the organisation directory; import it first`,
      );
    const now = new Date();
    const today = vietnamDate(now);
    const id = randomUUID();
    const subject = metadata.subject.normalize('NFC');
    await insertBlob(tx, content);
    const number = await takeNextNumber(tx, `copies:${identity.agencyCode}`, today.year);
    const notation = buildNotation({ number, typeAbbreviation: 'SY', agencyAbbreviation: organisation.abbreviation });
    const sourceDescription = metadata.sourceDescription?.normalize('NFC') ?? null;
    const copyInfo = {
      kind: 'SY',
      form: 'digitised',
      number,
      notation,
      year: today.year,
      sourceDocumentId: source?.id ?? null,
      sourceVersion: source?.currentVersion ?? null,
      sourceDescription,
    };
    const document = await insertDocument(tx, {
      id,
      agencyCode: identity.agencyCode,
      direction: 'internal',
      subject,
      typeCode: 'SY',
      metadata: { urgency: 'normal', copy: copyInfo, organName: organisation.name },
      searchText: foldForSearch(`${subject} ${notation} ${sourceDescription ?? ''}`),
      createdBy: identity.userId,
      versions: [{ ...content, kind: 'upload' }],
    });
    await insertCopy(tx, {
      documentId: id,
      agencyCode: identity.agencyCode,
      sourceDocumentId: source?.id ?? null,
      sourceVersion: source?.currentVersion ?? null,
      sourceDescription,
      kind: 'SY:digitised',
      year: today.year,
      number,
      notation,
      createdBy: identity.userId,
    });
    const context = { source: deps.source, requestId: command.requestId, agencyCode: identity.agencyCode };
    const created: DocumentCreatedV1 = {
      documentId: id,
      agencyCode: identity.agencyCode,
      direction: 'internal',
      subject,
      version: 1,
      sha256: content.sha256,
      mediaType: content.mediaType,
      sizeBytes: content.sizeBytes,
      createdBy: identity.userId,
      createdAt: document.createdAt,
    };
    await enqueueEvent(tx, documentCreatedV1, id, created, context, deps.topicPrefix);
    const made: CopyMadeV1 = {
      copyDocumentId: id,
      agencyCode: identity.agencyCode,
      sourceDocumentId: source?.id ?? null,
      sourceVersion: source?.currentVersion ?? null,
      sourceDescription,
      kind: 'SY:digitised',
      year: today.year,
      number,
      notation,
      sha256: content.sha256,
      createdBy: identity.userId,
      createdAt: document.createdAt,
    };
    await enqueueEvent(tx, copyMadeV1, id, made, context, deps.topicPrefix);
    return document;
  });
  return { document: result, replayed };
}
