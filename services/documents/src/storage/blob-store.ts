import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import { AppError } from '@vanthu/platform';

export type StoredBlob = {
  sha256: string;
  sizeBytes: number;
  head: Buffer;
  tail: Buffer;
  mediaType: string;
  created: boolean;
};

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
 * the database transaction that references the blob commits. Reads recompute the hash.
 */
export class BlobStore {
  constructor(private readonly root: string) {}

  async init(): Promise<void> {
    await fsp.mkdir(path.join(this.root, 'tmp'), { recursive: true });
    await fsp.mkdir(path.join(this.root, 'sha256'), { recursive: true });
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
      // Same content, same name: an existing file already holds these exact bytes.
      const created = !(await exists(target));
      if (created) await fsp.rename(temp, target);
      else await fsp.rm(temp, { force: true });
      await fsyncPath(path.dirname(target));
      return { sha256, sizeBytes: size, head, tail, mediaType, created };
    } catch (error) {
      await fsp.rm(temp, { force: true });
      throw error;
    }
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

async function exists(target: string): Promise<boolean> {
  try {
    await fsp.access(target);
    return true;
  } catch {
    return false;
  }
}
