import { randomUUID } from 'node:crypto';
import { AppError, requireRole } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import type { DocumentsContext } from '../context';
import { recordCopyDocument } from '../documents/document-events';
import { findDocument, insertDocument } from '../repositories/documents-repository';
import { insertBlob } from '../repositories/blobs-repository';
import { findOrganisation } from '../repositories/organisations-repository';
import { takeNextNumber } from '../repositories/registers-repository';
import type { Document } from '../schemas/document';
import type { NewCopy } from '../schemas/copy';
import { renderCopy } from '../rendering/copy-mark';
import { inspectPdf } from '../adapters/inspect-pdf';
import { buildNotation, formatNumber, vietnamDate } from '../rules/numbering';
import { foldForSearch } from '../rules/search-text';

const marks = { SY: 'SAO Y', TrS: 'TRÍCH SAO', SL: 'SAO LỤC' } as const;

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Makes a copy of a document (NĐ 30/2020 Điều 25–27): a new document whose PDF is the source's
 * current version (or, for trích sao, the chosen pages) marked with the copy form, its number
 * and date. Copies share one number series per agency and year, whatever their kind (Phụ lục
 * I.II.1), written `{số}/{SY|TrS|SL}-{agency}`. Sao lục is made from a sao y (Điều 25.2).
 * The copy records its source document and version.
 */
export type MakeCopyInput = { copy: NewCopy };

export async function makeCopy(input: MakeCopyInput, ctx: DocumentsContext): Promise<Mutation<Document>> {
  const { identity } = ctx;
  const { copy } = input;
  requireRole(identity, 'clerk');
  if (copy.kind === 'TrS' && !copy.pages)
    throw new AppError('VALIDATION_FAILED', 'a trích sao names the pages it extracts', {
      errors: [{ field: 'body.pages', message: 'required for TrS' }],
    });
  if (copy.kind !== 'TrS' && copy.pages)
    throw new AppError('VALIDATION_FAILED', 'only a trích sao extracts pages', {
      errors: [{ field: 'body.pages', message: 'only for TrS' }],
    });
  return ctx.runInTransaction(async (tx) => {
    const source = await findDocument(tx, identity.agencyCode, copy.sourceDocumentId);
    if (!source) throw new AppError('NOT_FOUND', `document ${copy.sourceDocumentId} not found`);
    if (source.status === 'recalled' || source.status === 'revoked')
      throw new AppError('CONFLICT', `document ${source.id} was recalled; it is not copied`);
    const sourceCopy = source.metadata.copy as { kind?: string } | undefined;
    if (copy.kind === 'SL' && sourceCopy?.kind !== 'SY') {
      throw new AppError(
        'UNPROCESSABLE',
        'a sao lục is made from a sao y (NĐ 30/2020 Điều 25.2); the source is not one',
        { errors: [{ field: 'body.sourceDocumentId', message: 'not a sao y' }] },
      );
    }
    const version = source.versions.find((v) => v.version === source.currentVersion);
    if (version?.mediaType !== 'application/pdf')
      throw new AppError('UNPROCESSABLE', 'only a PDF version can be copied');
    const organisation = await findOrganisation(tx, identity.agencyCode);
    if (!organisation)
      throw new AppError(
        'UNPROCESSABLE',
        `agency ${identity.agencyCode} is not in the organisation directory; import it first`,
      );
    const sourceBytes = await readAll((await ctx.blobs.openVerified(version.sha256)).stream);
    const today = vietnamDate(ctx.clock());
    // The copy series' counter stays locked from here to the commit.
    const number = await takeNextNumber(tx, `copies:${identity.agencyCode}`, today.year);
    const notation = buildNotation({
      number,
      typeAbbreviation: copy.kind,
      agencyAbbreviation: organisation.abbreviation,
    });
    const mark = copy.form === 'paper' ? `${marks[copy.kind]} BẢN GỐC VĂN BẢN ĐIỆN TỬ` : marks[copy.kind];
    let bytes: Buffer;
    try {
      bytes = await renderCopy(sourceBytes, copy.pages, {
        lines: [
          mark,
          `Số: ${notation}`,
          `${organisation.name}, ngày ${formatNumber(today.day)} tháng ${formatNumber(today.month)} năm ${today.year}`,
        ],
      });
    } catch (error) {
      throw new AppError('UNPROCESSABLE', `the copy cannot be made: ${(error as Error).message.slice(0, 200)}`, {
        cause: error,
      });
    }
    // Written durably before the commit, like every other version.
    const stored = await ctx.blobs.putBuffer(bytes, async (file) => {
      await inspectPdf(file.path, file.tail);
      return 'application/pdf';
    });
    const id = randomUUID();
    const subject = `${mark}: ${source.subject}`.slice(0, 500);
    const copyInfo = {
      kind: copy.kind,
      form: copy.form,
      number,
      notation,
      year: today.year,
      sourceDocumentId: source.id,
      sourceVersion: version.version,
      pages: copy.pages ?? null,
    };
    await insertBlob(tx, { sha256: stored.sha256, sizeBytes: stored.sizeBytes, mediaType: 'application/pdf' });
    const document = await insertDocument(tx, {
      id,
      agencyCode: identity.agencyCode,
      direction: 'internal',
      subject,
      typeCode: copy.kind,
      metadata: { urgency: source.urgency, copy: copyInfo, organName: organisation.name },
      searchText: foldForSearch(`${subject} ${notation}`),
      createdBy: identity.userId,
      versions: [
        {
          sha256: stored.sha256,
          sizeBytes: stored.sizeBytes,
          mediaType: 'application/pdf',
          fileName: `${notation.replace(/\//g, '-')}.pdf`,
          kind: 'upload',
        },
      ],
    });
    await recordCopyDocument(
      tx,
      document,
      { sha256: stored.sha256, sizeBytes: stored.sizeBytes, mediaType: 'application/pdf' },
      {
        sourceDocumentId: source.id,
        sourceVersion: version.version,
        sourceDescription: null,
        kind: `${copy.kind}:${copy.form}`,
        year: today.year,
        number,
        notation,
      },
      ctx,
    );
    return document;
  });
}
