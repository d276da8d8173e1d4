import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import { AppError } from './errors';

export type StoredBlob = {
  sha256: string;
  sizeBytes: number;
  head: Buffer;
  tail: Buffer;
  mediaType: string;
  created: boolean;
};

/** Bytes written into the store through `spool`, and where they now are. */
export type SpooledBlob = { sha256: string; sizeBytes: number; file: string };

/** Spooling stopped at the size limit: the bytes are not stored. */
export class BlobTooLarge extends Error {
  constructor(readonly limitBytes: number) {
    super(`the content exceeds ${limitBytes} bytes`);
    this.name = 'BlobTooLarge';
  }
}

/** A stored file as the orphan sweeper lists it. */
export type StoredFile = { sha256: string; sizeBytes: number; modifiedMs: number };

/** A file moved out of the store by the sweeper, still restorable until destroyed. */
export type WithdrawnBlob = { sha256: string; trashPath: string; sizeBytes: number };

/** What an inspector sees of a written but not yet stored file. */
export type WrittenFile = { path: string; sizeBytes: number; head: Buffer; tail: Buffer };
/** Decides the media type from the bytes, or throws to keep the file out of the store. */
export type ContentInspector = (file: WrittenFile) => Promise<string>;

const headBytes = 1024;
const tailBytes = 1024;

async function fsyncPath(target: string): Promise<void> {
  const handle = await fsp.open(target, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Content-addressed store on the local file system: a blob's name is its SHA-256. Writes go
 * to a temporary file, are fsynced, renamed into place and the directory fsynced, all before
 * the database transaction that references the blob commits. Reads recompute the hash. One
 * store for every service that keeps files: documents' blobs (`put`, from an upload stream)
 * and exchange's edXML messages (`spool`, from a writer fed as a message streams from a hub or
 * is written for one). A file no row references (a transaction that rolled back after the
 * write) is collected by an orphan sweep (`listFiles`, `withdraw`, `restore`, `destroy`).
 */
export class BlobStore {
  constructor(private readonly root: string) {}

  async init(): Promise<void> {
    await fsp.mkdir(path.join(this.root, 'tmp'), { recursive: true });
    await fsp.mkdir(path.join(this.root, 'sha256'), { recursive: true });
    await fsp.mkdir(path.join(this.root, 'trash'), { recursive: true });
  }

  pathOf(sha256: string): string {
    return path.join(this.root, 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  /**
   * Streams `source` into the store, hashing as it goes; the first and last KiB are kept for
   * type sniffing. `verify` runs once the bytes are written and may throw to discard them;
   * `inspect` then reads the written file and names its media type, or throws to refuse it:
   * either way refused bytes never enter the store. `created` says whether these bytes were new.
   */
  async put(source: Readable, verify?: () => void, inspect?: ContentInspector): Promise<StoredBlob> {
    const temp = path.join(this.root, 'tmp', `${randomUUID()}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const headChunks: Buffer[] = [];
    let headLength = 0;
    let tail = Buffer.alloc(0);
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        size += chunk.length;
        if (headLength < headBytes) {
          headChunks.push(chunk.subarray(0, headBytes - headLength));
          headLength += Math.min(chunk.length, headBytes - headLength);
        }
        tail = Buffer.concat([tail, chunk.subarray(Math.max(0, chunk.length - tailBytes))]).subarray(-tailBytes);
        callback(null, chunk);
      },
    });
    try {
      await pipeline(source, tap, fs.createWriteStream(temp, { flags: 'wx' }));
      verify?.();
      const head = Buffer.concat(headChunks);
      const mediaType = inspect
        ? await inspect({ path: temp, sizeBytes: size, head, tail })
        : 'application/octet-stream';
      await fsyncPath(temp);
      const sha256 = hash.digest('hex');
      const target = this.pathOf(sha256);
      await fsp.mkdir(path.dirname(target), { recursive: true });
      // Same content, same name: an existing file already holds these exact bytes. The fresh copy replaces it
      // anyway (atomically, readers keep the inode they opened) so that its modification time is now: the orphan
      // sweeper leaves alone any file younger than its grace period, which covers the transaction about to
      // reference these bytes, and a file it is withdrawing at this moment is put back by this rename.
      const created = !(await exists(target));
      await fsp.rename(temp, target);
      await fsyncPath(path.dirname(target));
      return { sha256, sizeBytes: size, head, tail, mediaType, created };
    } catch (error) {
      await fsp.rm(temp, { force: true });
      throw error;
    }
  }

  /**
   * Stores what `produce` writes, chunk by chunk, hashing as it goes (a message spooled from a hub as it
   * streams). If `produce` rejects, or writes more than `maxBytes`, nothing is stored and the error is thrown on.
   */
  async spool(
    produce: (write: (chunk: Buffer) => Promise<void>) => Promise<void>,
    maxBytes = Number.POSITIVE_INFINITY,
  ): Promise<SpooledBlob> {
    await fsp.mkdir(path.join(this.root, 'tmp'), { recursive: true });
    const temp = path.join(this.root, 'tmp', `${randomUUID()}.part`);
    const handle = await fsp.open(temp, 'wx');
    const hash = createHash('sha256');
    let size = 0;
    try {
      try {
        await produce(async (chunk) => {
          size += chunk.length;
          if (size > maxBytes) throw new BlobTooLarge(maxBytes);
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
      // As in `put`: a fresh copy of bytes already stored takes the name, so its modification time is now.
      await fsp.rename(temp, file);
      await fsyncPath(path.dirname(file));
      return { sha256, sizeBytes: size, file };
    } catch (error) {
      await fsp.rm(temp, { force: true });
      throw error;
    }
  }

  /** `spool` for bytes built in memory (a status message, a message read from an old database row). */
  spoolBytes(bytes: Buffer): Promise<SpooledBlob> {
    return this.spool((write) => write(bytes));
  }

  /**
   * A fresh directory for work on stored content (a parse's attachment files), under `tmp/` like a partial
   * write, so a crash leaves it for `removeStaleParts`; the caller removes it when done.
   */
  async scratch(): Promise<string> {
    await fsp.mkdir(path.join(this.root, 'tmp'), { recursive: true });
    return fsp.mkdtemp(path.join(this.root, 'tmp', 'work-'));
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

  /**
   * Stores bytes produced here (a conversion's PDF), inspected like an upload.
   */
  async putBuffer(bytes: Buffer, inspect?: ContentInspector): Promise<StoredBlob> {
    return this.put(Readable.from([bytes]), undefined, inspect);
  }

  /**
   * Removes bytes this request itself added (`created`) when the request is refused after
   * storing them; bytes another document may reference are never removed.
   */
  async discardCreated(blob: StoredBlob): Promise<void> {
    if (blob.created) await fsp.rm(this.pathOf(blob.sha256), { force: true });
  }

  /** Every file in the store with its size and modification time, directory by directory. */
  async *listFiles(): AsyncGenerator<StoredFile> {
    for (const first of await readDirectory(path.join(this.root, 'sha256'))) {
      for (const second of await readDirectory(path.join(this.root, 'sha256', first))) {
        const folder = path.join(this.root, 'sha256', first, second);
        for (const name of await readDirectory(folder)) {
          if (!/^[0-9a-f]{64}$/.test(name)) continue;
          const stat = await statOrNull(path.join(folder, name));
          if (stat?.isFile()) yield { sha256: name, sizeBytes: stat.size, modifiedMs: stat.mtimeMs };
        }
      }
    }
  }

  /**
   * Moves a blob's file out of the store if it is still older than `staleBeforeMs`. The move is atomic, so a
   * concurrent `put` of the same bytes either lands after it (a fresh file takes the name) or before it (the
   * moved file turns out fresh and is put back at once). Returns null when there is nothing stale to withdraw.
   */
  async withdraw(sha256: string, staleBeforeMs: number): Promise<WithdrawnBlob | null> {
    const trashPath = path.join(this.root, 'trash', `${sha256}.${randomUUID()}`);
    try {
      await fsp.rename(this.pathOf(sha256), trashPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const stat = await fsp.stat(trashPath);
    const withdrawn = { sha256, trashPath, sizeBytes: stat.size };
    if (stat.mtimeMs >= staleBeforeMs) {
      await this.restore(withdrawn);
      return null;
    }
    return withdrawn;
  }

  /** Puts a withdrawn file back under its name, unless a fresh copy of the same bytes already took it. */
  async restore(withdrawn: WithdrawnBlob): Promise<void> {
    const target = this.pathOf(withdrawn.sha256);
    try {
      await fsp.link(withdrawn.trashPath, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    await fsp.rm(withdrawn.trashPath, { force: true });
    await fsyncPath(path.dirname(target));
  }

  /** Deletes a withdrawn file for good. */
  async destroy(withdrawn: WithdrawnBlob): Promise<void> {
    await fsp.rm(withdrawn.trashPath, { force: true });
  }

  /** Files a crashed sweep left withdrawn, for the next sweep to restore or destroy. */
  async listWithdrawn(): Promise<WithdrawnBlob[]> {
    const withdrawn: WithdrawnBlob[] = [];
    for (const name of await readDirectory(path.join(this.root, 'trash'))) {
      const match = /^([0-9a-f]{64})\./.exec(name);
      const trashPath = path.join(this.root, 'trash', name);
      const stat = match ? await statOrNull(trashPath) : null;
      if (match?.[1] && stat) withdrawn.push({ sha256: match[1], trashPath, sizeBytes: stat.size });
    }
    return withdrawn;
  }

  /**
   * Removes partial writes older than `staleBeforeMs`: what an upload left when its process died mid-stream
   * (a live upload touches its part file with every chunk). Returns how many were removed.
   */
  async removeStaleParts(staleBeforeMs: number): Promise<number> {
    let removed = 0;
    for (const name of await readDirectory(path.join(this.root, 'tmp'))) {
      const part = path.join(this.root, 'tmp', name);
      const stat = await statOrNull(part);
      if (!stat || stat.mtimeMs >= staleBeforeMs) continue;
      // A scratch directory (`scratch`) goes with what is in it.
      await fsp.rm(part, { recursive: true, force: true });
      removed += 1;
    }
    return removed;
  }

  /**
   * Verifies the stored bytes still hash to their name, then opens them for reading. Checking
   * before the first byte is sent means a client never receives corrupted content as a 200.
   */
  async openVerified(sha256: string): Promise<{ stream: Readable; sizeBytes: number }> {
    const target = this.pathOf(sha256);
    let stat;
    try {
      stat = await fsp.stat(target);
    } catch (error) {
      throw new AppError('INTEGRITY_FAILURE', `blob ${sha256} is missing from the store`, { cause: error });
    }
    const hash = createHash('sha256');
    for await (const chunk of fs.createReadStream(target)) hash.update(chunk as Buffer);
    const actual = hash.digest('hex');
    if (actual !== sha256) throw new AppError('INTEGRITY_FAILURE', `blob ${sha256} hashes to ${actual}`);
    return { stream: fs.createReadStream(target), sizeBytes: stat.size };
  }
}

async function readDirectory(folder: string): Promise<string[]> {
  try {
    return (await fsp.readdir(folder)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function statOrNull(target: string): Promise<fs.Stats | null> {
  try {
    return await fsp.stat(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function exists(target: string): Promise<boolean> {
  try {
    await fsp.access(target);
    return true;
  } catch {
    return false;
  }
}
