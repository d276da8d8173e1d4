import { withTransaction } from '@vanthu/platform';
import type { Logger, Pool } from '@vanthu/platform';
import { nextUnindexed, storeContentText } from '../repositories/search-repository';
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
}
