import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** One message the hub holds for one recipient. */
export type StoredMessage = {
  docId: string;
  from: string;
  to: string;
  messageType: 'edoc' | 'status';
  edxml: Buffer;
  sha256: string;
  status: 'initial' | 'processing' | 'done' | 'fail';
  createdAt: Date;
  updatedAt: Date;
};

type Meta = Omit<StoredMessage, 'edxml' | 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string };

const safe = /^[A-Za-z0-9._-]+$/;

/** Writes `bytes` to `file` so that a crash leaves either the old file or the new one, never half of it. */
function writeDurably(file: string, bytes: Buffer | string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(temporary, 'w');
  try {
    fs.writeFileSync(fd, bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, file);
}

/**
 * The hub sandbox's messages on disk, so that what the hub accepted survives its restart as on a real
 * hub: one directory, per message and recipient an `.edxml` file with the bytes as received and a `.json`
 * file with the rest (status, times). The bytes are written before the record that names them, each
 * atomically and synced, so a crash never leaves a record without its message; a status change
 * rewrites only the small record. At start every record is read back and its message checked against
 * the SHA-256 it was accepted with: a damaged store refuses to start instead of serving other bytes.
 */
export class SandboxMessageFiles {
  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  private base(message: { docId: string; to: string }): string {
    if (!safe.test(message.docId) || !safe.test(message.to)) {
      throw new Error(`unsafe message key ${message.docId}/${message.to}`);
    }
    return path.join(this.dir, `${message.docId}.${message.to}`);
  }

  /** A message accepted for a recipient: its bytes, then its record. */
  add(message: StoredMessage): void {
    const base = this.base(message);
    writeDurably(`${base}.edxml`, message.edxml);
    this.update(message);
  }

  /** The record of a message whose status changed. */
  update(message: StoredMessage): void {
    const { edxml: _bytes, createdAt, updatedAt, ...rest } = message;
    const meta: Meta = { ...rest, createdAt: createdAt.toISOString(), updatedAt: updatedAt.toISOString() };
    writeDurably(`${this.base(message)}.json`, JSON.stringify(meta));
  }

  /** Every message held, oldest first; throws if a message's bytes are missing or changed. */
  load(): StoredMessage[] {
    const messages: StoredMessage[] = [];
    for (const name of fs.readdirSync(this.dir)) {
      if (!name.endsWith('.json')) continue;
      const meta = JSON.parse(fs.readFileSync(path.join(this.dir, name), 'utf8')) as Meta;
      const file = `${this.base(meta)}.edxml`;
      if (!fs.existsSync(file)) throw new Error(`hub sandbox store: ${name} names no message file`);
      const edxml = fs.readFileSync(file);
      if (createHash('sha256').update(edxml).digest('hex') !== meta.sha256) {
        throw new Error(`hub sandbox store: the message of ${name} does not match its SHA-256`);
      }
      messages.push({ ...meta, edxml, createdAt: new Date(meta.createdAt), updatedAt: new Date(meta.updatedAt) });
    }
    return messages.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.docId.localeCompare(b.docId));
  }
}
