import { randomUUID } from 'node:crypto';
import { unzipSync, zipSync } from 'fflate';
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
