import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { unzipSync, zipSync } from 'fflate';
import yauzl from 'yauzl';
import type { EdxmlProfile } from './model';

// Whether a carried attachment is a zip is decided from its bytes, never from its declared
// content type: real messages zip a PDF and keep application/pdf, or declare application/zip
// over raw bytes.
export function isZipped(content: Buffer): boolean {
  return (
    content.length >= 4 && content[0] === 0x50 && content[1] === 0x4b && content[2] === 0x03 && content[3] === 0x04
  );
}

const officeExtensions = new Set(['pdf', 'doc', 'docx', 'xls', 'xlsx', 'zip']);

const extensionOf = (name: string): string => {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
};

/** Whether the hub's profile zips a file of this name; when it does, the extension its zip entry keeps. */
export function zipsForHub(name: string, profile: EdxmlProfile): { extension: string } | undefined {
  const extension = extensionOf(name);
  const zip =
    profile.zipAttachments === 'always' ||
    (profile.zipAttachments === 'non-office' && !officeExtensions.has(extension));
  return zip ? { extension } : undefined;
}

/** How a file goes into a message for a hub: raw, or zipped as one entry `<uuid>.<ext>` with application/zip. */
export function encodeForHub(
  file: { name: string; contentType: string; content: Buffer },
  profile: EdxmlProfile,
): { contentType: string; content: Buffer } {
  const zip = zipsForHub(file.name, profile);
  if (!zip || isZipped(file.content)) return { contentType: file.contentType, content: file.content };
  const extension = zip.extension;
  const entry = `${randomUUID()}${extension ? `.${extension}` : ''}`;
  return { contentType: 'application/zip', content: Buffer.from(zipSync({ [entry]: file.content })) };
}

/** The entries of a zipped attachment; throws when the zip is corrupt. */
export function unzipAttachment(content: Buffer, maxTotalBytes: number): { name: string; content: Buffer }[] {
  let total = 0;
  const entries = unzipSync(content, {
    // Refuse a zip bomb before inflating it: the declared sizes are summed first.
    filter: (file) => {
      total += file.originalSize;
      if (total > maxTotalBytes) throw new Error(`zipped attachment inflates beyond ${maxTotalBytes} bytes`);
      return true;
    },
  });
  return Object.entries(entries)
    .filter(([name]) => !name.endsWith('/'))
    .map(([name, bytes]) => ({ name, content: Buffer.from(bytes) }));
}

/** One entry of a zipped attachment inflated into a file: its name, size, SHA-256 and first bytes. */
export type UnzippedEntry = { name: string; size: number; sha256: string; head: Buffer; file: string };

/**
 * unzipAttachment for an attachment in a file, of any size: yauzl reads the zip's central directory from the file
 * and each entry is inflated as a stream into a file of `dir` (named `<prefix>-entry-<n>`), hashed as it passes, so
 * neither the zip nor an entry is ever held. A zip bomb is refused before anything is inflated (the declared sizes
 * are summed first), and yauzl refuses an entry whose real size differs from the declared one.
 */
export function unzipAttachmentFile(
  zipFile: string,
  dir: string,
  prefix: string,
  maxTotalBytes: number,
): Promise<UnzippedEntry[]> {
  return new Promise((resolve, reject) => {
    // Closed here, not by yauzl: every entry's size is known (the whole directory read) before one is inflated.
    yauzl.open(zipFile, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (openError, zip) => {
      if (openError || !zip) return reject(openError ?? new Error('the zip cannot be opened'));
      const entries: yauzl.Entry[] = [];
      const unzipped: UnzippedEntry[] = [];
      const fail = (error: Error) => {
        zip.close();
        reject(error);
      };
      const inflate = async (): Promise<void> => {
        for (const entry of entries) {
          const file = path.join(dir, `${prefix}-entry-${unzipped.length}`);
          const hash = createHash('sha256');
          let size = 0;
          let head = Buffer.alloc(0);
          const stream = await new Promise<Readable>((done, failed) =>
            zip.openReadStream(entry, (error, read) => (error || !read ? failed(error) : done(read))),
          );
          const tap = new Transform({
            transform(chunk: Buffer, _encoding, callback) {
              size += chunk.length;
              if (head.length < 8) head = Buffer.concat([head, chunk.subarray(0, 8 - head.length)]);
              hash.update(chunk);
              callback(null, chunk);
            },
          });
          await pipeline(stream, tap, fs.createWriteStream(file));
          unzipped.push({ name: entry.fileName, size, sha256: hash.digest('hex'), head, file });
        }
      };
      let total = 0;
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!entry.fileName.endsWith('/')) {
          total += entry.uncompressedSize;
          if (total > maxTotalBytes) return fail(new Error(`zipped attachment inflates beyond ${maxTotalBytes} bytes`));
          entries.push(entry);
        }
        zip.readEntry();
      });
      zip.on('error', fail);
      zip.on('end', () =>
        inflate().then(() => {
          zip.close();
          resolve(unzipped);
        }, fail),
      );
      zip.readEntry();
    });
  });
}
