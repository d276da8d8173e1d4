import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

// The edXML messages exchange sent and received, as files named by their SHA-256 (the hash the exchange log
// records), under MESSAGE_DIR: a message of tens of MB is spooled to disk as it arrives from the hub and parsed
// from there, never held in memory or in a database row. Laid out like documents' blob store (sha256/ab/cd/<hash>,
// written to tmp/, fsynced, renamed into place); the same bytes twice are one file. A file is written before the
// transaction that records its hash commits: a rolled-back receipt leaves an unreferenced file, which the next
// receipt of the same message takes again by name.

export type StoredMessage = { sha256: string; sizeBytes: number; file: string };

/** Spooling stopped at the size limit: the message is not taken. */
export class MessageTooLarge extends Error {
  constructor(readonly limitBytes: number) {
    super(`the message exceeds ${limitBytes} bytes`);
    this.name = 'MessageTooLarge';
  }
}

export class MessageStore {
  constructor(private readonly root: string) {}

  pathOf(sha256: string): string {
    return path.join(this.root, 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  /** A fresh directory for work on a message (a parse's attachment files); the caller removes it. */
  async scratch(): Promise<string> {
    await fsp.mkdir(path.join(this.root, 'tmp'), { recursive: true });
    return fsp.mkdtemp(path.join(this.root, 'tmp', 'work-'));
  }

  /**
   * Stores what `produce` writes, chunk by chunk, hashing as it goes. If `produce` rejects, or writes more
   * than `maxBytes`, nothing is stored and the error is thrown on.
   */
  async spool(
    produce: (write: (chunk: Buffer) => Promise<void>) => Promise<void>,
    maxBytes = Number.POSITIVE_INFINITY,
  ): Promise<StoredMessage> {
    await fsp.mkdir(path.join(this.root, 'tmp'), { recursive: true });
    const temp = path.join(this.root, 'tmp', `${randomUUID()}.part`);
    const handle = await fsp.open(temp, 'wx');
    const hash = createHash('sha256');
    let size = 0;
    try {
      try {
        await produce(async (chunk) => {
          size += chunk.length;
          if (size > maxBytes) throw new MessageTooLarge(maxBytes);
          hash.update(chunk);
          await handle.write(chunk);
        });
        await handle.sync();
      } finally {
        await handle.close();
      }
      const sha256 = hash.digest('hex');
      const file = this.pathOf(sha256);
      await fsp.mkdir(path.dirname(file), { recursive: true });
      await fsp.rename(temp, file);
      await syncDirectory(path.dirname(file));
      return { sha256, sizeBytes: size, file };
    } catch (error) {
      await fsp.rm(temp, { force: true });
      throw error;
    }
  }

  /** Stores bytes built here (a status message, a message read from an old database row). */
  put(bytes: Buffer): Promise<StoredMessage> {
    return this.spool((write) => write(bytes));
  }

  /** The SHA-256 of the stored bytes as they are now, read as a stream; undefined when the file is gone. */
  async hashNow(sha256: string): Promise<string | undefined> {
    const hash = createHash('sha256');
    try {
      for await (const chunk of fs.createReadStream(this.pathOf(sha256))) hash.update(chunk as Buffer);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return hash.digest('hex');
  }
}

async function syncDirectory(folder: string): Promise<void> {
  const handle = await fsp.open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
