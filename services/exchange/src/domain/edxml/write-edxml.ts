import { randomBytes, randomUUID } from 'node:crypto';
import { Zip, ZipDeflate } from 'fflate';
import { isZipped, zipsForHub } from './attachments';
import { buildEdxml } from './build-edxml';
import type { EdxmlAttachment, EdxmlDocument, EdxmlProfile } from './model';

// An edXML document message written as a stream, for messages of any size: the header and manifest are built by
// buildEdxml (so every rule it checks holds, and the bytes are the same as it writes), each attachment's
// content standing in as a short placeholder; the placeholders are then replaced, as the output is written, by
// the base64 of each attachment's bytes, encoded chunk by chunk as they arrive from their source (the issued PDF
// from documents). Nothing here holds an attachment, its base64 or the message whole.

/** A carried file whose bytes come as a stream (read once). */
export type StreamedAttachment = Omit<EdxmlAttachment, 'content'> & {
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
};

async function* chunksOf(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield* source;
}

export type StreamedEdxmlDocument = Omit<EdxmlDocument, 'attachments'> & { attachments: StreamedAttachment[] };

/** Writes what it is handed, in order; resolves when the chunk is taken. */
export type ChunkWriter = (chunk: Buffer) => Promise<void>;

/** Base64 as the bytes stream: three-byte groups are encoded as they complete, the rest carried to the next chunk. */
async function writeBase64(source: AsyncIterable<Uint8Array>, write: ChunkWriter): Promise<void> {
  let carry = Buffer.alloc(0);
  for await (const piece of source) {
    const bytes = carry.length > 0 ? Buffer.concat([carry, piece]) : Buffer.from(piece);
    const whole = bytes.length - (bytes.length % 3);
    if (whole > 0) await write(Buffer.from(bytes.subarray(0, whole).toString('base64'), 'latin1'));
    carry = Buffer.from(bytes.subarray(whole));
  }
  if (carry.length > 0) await write(Buffer.from(carry.toString('base64'), 'latin1'));
}

/** The bytes of `source`, zipped as one entry `name` (fflate's streaming zip: one chunk in, what it made out). */
async function* zipStream(name: string, head: Uint8Array, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((error, data) => {
    if (error) failure = error;
    else out.push(data);
  });
  const entry = new ZipDeflate(name, { level: 6 });
  zip.add(entry);
  let next: Uint8Array | undefined = head;
  while (next !== undefined) {
    const following = await rest.next();
    entry.push(next, following.done === true);
    next = following.done ? undefined : following.value;
    if (failure) throw failure;
    yield* out.splice(0);
  }
  zip.end();
  if (failure) throw failure;
  yield* out.splice(0);
}

/**
 * How a streamed file goes into a message for the hub, as encodeForHub decides it (attachments.ts): raw, or
 * zipped as one entry `<uuid>.<ext>` with application/zip, never zipped twice (the first bytes tell).
 */
async function carried(
  attachment: StreamedAttachment,
  profile: EdxmlProfile,
): Promise<{ contentType: string; source: AsyncIterable<Uint8Array> }> {
  const zip = zipsForHub(attachment.name, profile);
  if (!zip) return { contentType: attachment.contentType, source: chunksOf(attachment.source) };
  const iterator = chunksOf(attachment.source);
  const first = await iterator.next();
  const head = first.done ? new Uint8Array(0) : first.value;
  const rest: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => iterator,
  };
  async function* again(): AsyncGenerator<Uint8Array> {
    if (head.length > 0) yield head;
    yield* rest;
  }
  // A first chunk shorter than a zip's signature is not known to come from documents' stream; it is judged as is.
  if (isZipped(Buffer.from(head))) return { contentType: attachment.contentType, source: again() };
  const extension = zip.extension ? `.${zip.extension}` : '';
  return {
    contentType: 'application/zip',
    source: zipStream(`${randomUUID()}${extension}`, head, first.done ? emptyIterator() : iterator),
  };
}

const emptyIterator = (): AsyncIterator<Uint8Array> => ({ next: async () => ({ done: true, value: undefined }) });

/** Writes the edXML of `message` to `write`, attachments streamed from their sources (see the top of this file). */
export async function writeEdxml(
  message: StreamedEdxmlDocument,
  profile: EdxmlProfile,
  write: ChunkWriter,
): Promise<void> {
  const encoded = await Promise.all(message.attachments.map((a) => carried(a, profile)));
  // Each placeholder's base64 is a random 24-byte token: it cannot occur anywhere else in the built message.
  const placeholders = message.attachments.map(() => randomBytes(24));
  const skeleton = buildEdxml(
    {
      ...message,
      attachments: message.attachments.map(({ source: _source, ...attachment }, index) => ({
        ...attachment,
        contentType: encoded[index]!.contentType,
        content: placeholders[index]!,
      })),
    },
    { ...profile, zipAttachments: 'never' },
  ).toString('latin1');
  let at = 0;
  for (const [index, placeholder] of placeholders.entries()) {
    const token = placeholder.toString('base64');
    const found = skeleton.indexOf(token, at);
    if (found < 0) throw new Error(`attachment ${index} has no place in the built message`);
    await write(Buffer.from(skeleton.slice(at, found), 'latin1'));
    await writeBase64(encoded[index]!.source, write);
    at = found + token.length;
  }
  await write(Buffer.from(skeleton.slice(at), 'latin1'));
}
