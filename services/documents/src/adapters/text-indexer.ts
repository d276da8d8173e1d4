import { withTransaction } from '@vanthu/platform';
import type { Logger, Pool } from '@vanthu/platform';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { PdfReader, pagesUnchanged } from '@vanthu/pdf';
import { keepContentText, nextUnindexed, storeContentText } from '../repositories/search-repository';
import type { PendingText } from '../repositories/search-repository';
import type { BlobStore } from '@vanthu/platform';
import { extractPdfText } from './extract-pdf-text';
import { foldForSearch } from '../rules/search-text';

/**
 * Fills the search index with the text of each document's current PDF, off the request path:
 * one document at a time, after a change is signalled and on start (a sweep picks up whatever
 * a crash left unindexed). A document whose text cannot be extracted is marked done with none.
 */
export class TextIndexer {
  private running = false;
  private again = false;
  private stopped = false;
  private idle: Promise<void> = Promise.resolve();

  constructor(private readonly deps: { pool: Pool; blobs: BlobStore; logger: Logger }) {}

  /** Asks for a pass; returns at once. */
  signal(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.idle = this.drain()
      .catch((error: unknown) =>
        this.deps.logger.error({ err: error }, 'search indexing pass failed; the next change retries it'),
      )
      .finally(() => {
        this.running = false;
      });
  }

  /** Resolves once nothing is pending (for tests and shutdown). */
  async settled(): Promise<void> {
    while (this.running) await this.idle;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.settled();
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      for (;;) {
        if (this.stopped) return;
        const next = await this.nextPending();
        if (!next) break;
        await this.index(next);
      }
    } while (this.again);
  }

  private nextPending(): Promise<PendingText | undefined> {
    return withTransaction(this.deps.pool, (tx) => nextUnindexed(tx));
  }

  private async index(pending: PendingText): Promise<void> {
    if (await this.signedWithoutRedrawing(pending)) {
      // Nothing changed that text comes from: the index keeps the text it has (no second pdf.js pass per signature).
      if (await withTransaction(this.deps.pool, (tx) => keepContentText(tx, pending.id, pending.version))) return;
    }
    let text = '';
    if (pending.mediaType === 'application/pdf') {
      try {
        text = foldForSearch(await extractPdfText(this.deps.blobs.pathOf(pending.sha256)));
      } catch (error) {
        this.deps.logger.warn(
          { err: error, documentId: pending.id },
          'PDF text extraction failed; indexed without content text',
        );
      }
    }
    // Only if the version is still current: a newer version is picked up by the next pass.
    await withTransaction(this.deps.pool, (tx) => storeContentText(tx, pending.id, pending.version, text));
  }

  /**
   * Whether the version is a signature appended to the version whose text is indexed without redrawing any page: its
   * file begins with every byte of the previous one (an incremental update, which is how a signature is added) and
   * `pagesUnchanged` finds every page's content and resources where they were. Then its text is the previous
   * version's. A signature-kind upload that is not such an update, or redraws a page, is extracted like any other.
   */
  private async signedWithoutRedrawing(pending: PendingText): Promise<boolean> {
    const previous = pending.indexedPrevious;
    if (pending.kind !== 'signature' || pending.mediaType !== 'application/pdf' || !previous) return false;
    if (pending.sizeBytes <= previous.sizeBytes) return false;
    const path = this.deps.blobs.pathOf(pending.sha256);
    const prefix = createHash('sha256');
    for await (const chunk of fs.createReadStream(path, { end: previous.sizeBytes - 1 }))
      prefix.update(chunk as Buffer);
    if (prefix.digest('hex') !== previous.sha256) return false;
    let before: PdfReader | undefined;
    let after: PdfReader | undefined;
    try {
      before = PdfReader.fromFile(this.deps.blobs.pathOf(previous.sha256));
      after = PdfReader.fromFile(path);
      return pagesUnchanged(before, after);
    } catch {
      return false; // a structure the reader refuses: extract as usual, which says what is wrong
    } finally {
      before?.close();
      after?.close();
    }
  }
}
