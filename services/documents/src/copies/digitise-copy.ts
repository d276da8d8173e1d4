import { randomUUID } from 'node:crypto';
import fsp from 'node:fs/promises';
import { PDFDocument } from 'pdf-lib';
import { AppError, requireRole } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import type { DocumentsContext } from '../context';
import { recordCopyDocument } from '../documents/document-events';
import { findDocument, insertDocument } from '../repositories/documents-repository';
import { insertBlob } from '../repositories/blobs-repository';
import { findOrganisation } from '../repositories/organisations-repository';
import { takeNextNumber } from '../repositories/registers-repository';
import type { ScanCopyMetadata } from '../schemas/copy';
import type { Document } from '../schemas/document';
import { buildNotation, vietnamDate } from '../rules/numbering';
import { foldForSearch } from '../rules/search-text';
import { pdfMediaType } from '../rules/sniff-media-type';
import type { BlobStore, StoredBlob } from '@vanthu/platform';
import type { StoredUpload } from '../storage/blob-upload';
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
export type DigitiseCopyInput = {
  metadata: ScanCopyMetadata;
  /** The scan, already durably in the blob store (readUpload with blobUpload); removed again if refused. */
  upload: StoredUpload;
};

export async function digitiseCopy(input: DigitiseCopyInput, ctx: DocumentsContext): Promise<Mutation<Document>> {
  const { identity } = ctx;
  const { metadata } = input;
  const { content, blob } = input.upload;
  try {
    requireRole(identity, 'clerk');
    if (content.mediaType !== pdfMediaType)
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'a digitised copy is a PDF scan');
    await checkScan(ctx.blobs, blob);
  } catch (error) {
    await ctx.blobs.discardCreated(blob);
    throw error;
  }
  if (!metadata.sourceDocumentId && !metadata.sourceDescription) {
    throw new AppError('INVALID_METADATA', 'name the paper original: sourceDocumentId or sourceDescription', {
      errors: [{ field: 'metadata.sourceDescription', message: 'required without sourceDocumentId' }],
    });
  }
  return ctx.runInTransaction(async (tx) => {
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
    const today = vietnamDate(ctx.clock());
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
    await recordCopyDocument(
      tx,
      document,
      content,
      {
        sourceDocumentId: source?.id ?? null,
        sourceVersion: source?.currentVersion ?? null,
        sourceDescription,
        kind: 'SY:digitised',
        year: today.year,
        number,
        notation,
      },
      ctx,
    );
    return document;
  });
}
