import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import { AppError } from '@vanthu/platform';

export type StoredBlob = { sha256: string; sizeBytes: number; head: Buffer };

const headBytes = 1024;

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
   * Streams `source` into the store, hashing as it goes; the first KiB is kept for type
   * sniffing. `verify` runs once the bytes are written and may throw to discard them.
   */
  async put(source: Readable, verify?: () => void): Promise<StoredBlob> {
    const temp = path.join(this.root, 'tmp', `${randomUUID()}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const headChunks: Buffer[] = [];
    let headLength = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        size += chunk.length;
        if (headLength < headBytes) {
          headChunks.push(chunk.subarray(0, headBytes - headLength));
          headLength += Math.min(chunk.length, headBytes - headLength);
        }
        callback(null, chunk);
      },
    });
    try {
      await pipeline(source, tap, fs.createWriteStream(temp, { flags: 'wx' }));
      verify?.();
      await fsyncPath(temp);
      const sha256 = hash.digest('hex');
      const target = this.pathOf(sha256);
      await fsp.mkdir(path.dirname(target), { recursive: true });
      // Same content, same name: an existing file already holds these exact bytes.
      if (await exists(target)) await fsp.rm(temp, { force: true });
      else await fsp.rename(temp, target);
      await fsyncPath(path.dirname(target));
      return { sha256, sizeBytes: size, head: Buffer.concat(headChunks) };
    } catch (error) {
      await fsp.rm(temp, { force: true });
      throw error;
    }
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
