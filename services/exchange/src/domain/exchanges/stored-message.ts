import fsp from 'node:fs/promises';
import type { Tx } from '@vanthu/platform';
import { readExchangeMessage } from '../../repositories/exchanges-repository';
import type { HubAdapter, HubCredentials } from '../../hub/hub-adapter';
import type { BlobStore, SpooledBlob } from '@vanthu/platform';
import { EdxmlRefused, parseEdxmlFile } from '../edxml/parse-edxml';
import type { ParsedEdxmlFile } from '../edxml/parse-edxml';

type Messages = { messages: BlobStore; maxMessageBytes: number };

/**
 * The file holding an exchange's message. A row written before messages moved to files still has its bytes in
 * the database: they are put in the store (under the hash of the bytes as they are) and read from there.
 */
export async function messageFile(tx: Tx, exchangeId: string, ctx: Messages): Promise<string | undefined> {
  return (await storedMessage(tx, exchangeId, ctx))?.file;
}

/** messageFile with the message's hash and size, as the hub adapters send it. */
export async function storedMessage(tx: Tx, exchangeId: string, ctx: Messages): Promise<SpooledBlob | undefined> {
  const location = await readExchangeMessage(tx, exchangeId);
  if (!location) return undefined;
  if (location.inFile) {
    const file = ctx.messages.pathOf(location.sha256);
    return { sha256: location.sha256, sizeBytes: (await fsp.stat(file)).size, file };
  }
  return ctx.messages.spoolBytes(location.bytes);
}

/**
 * Parses a stored message from its file, its attachments decoded into a scratch directory that is removed once
 * `work` is done: whatever `work` needs of an attachment it reads from `attachment.file` meanwhile.
 */
export async function withParsedMessage<T>(
  file: string,
  ctx: Messages,
  work: (parsed: ParsedEdxmlFile) => Promise<T>,
): Promise<T> {
  const dir = await ctx.messages.scratch();
  try {
    return await work(await parseEdxmlFile(file, { attachmentDir: dir, maxAttachmentBytes: ctx.maxMessageBytes }));
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/** withParsedMessage for an exchange's stored message; `work` gets undefined when there is none. */
export async function withExchangeMessage<T>(
  tx: Tx,
  exchangeId: string,
  ctx: Messages,
  work: (parsed: ParsedEdxmlFile | undefined) => Promise<T>,
): Promise<T> {
  const file = await messageFile(tx, exchangeId, ctx);
  return file ? withParsedMessage(file, ctx, work) : work(undefined);
}

/**
 * withParsedMessage that hands `work` the refusal instead of throwing it, for a message received from a hub,
 * which is recorded (rejected, with its rule) even when it cannot be read at all.
 */
export async function withMessageRead<T>(
  file: string,
  ctx: Messages,
  work: (read: ParsedEdxmlFile | EdxmlRefused) => Promise<T>,
): Promise<T> {
  const dir = await ctx.messages.scratch();
  try {
    let read: ParsedEdxmlFile | EdxmlRefused;
    try {
      read = await parseEdxmlFile(file, { attachmentDir: dir, maxAttachmentBytes: ctx.maxMessageBytes });
    } catch (error) {
      if (!(error instanceof EdxmlRefused)) throw error;
      read = error;
    }
    return await work(read);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/**
 * Fetches a message from the hub into the store as it streams. The limit is the base64 of the largest attachment
 * taken (MAX_MESSAGE_BYTES) and room for the header; past it the message is not taken (BlobTooLarge).
 */
export function fetchMessage(
  hub: HubAdapter,
  account: HubCredentials,
  docId: string,
  ctx: Messages,
): Promise<SpooledBlob> {
  const limit = Math.ceil((ctx.maxMessageBytes * 4) / 3) + 4 * 1024 * 1024;
  return ctx.messages.spool((write) => hub.getEdoc(account, docId, write), limit);
}
