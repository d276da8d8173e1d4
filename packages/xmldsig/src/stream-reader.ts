import { createHash, randomBytes } from 'node:crypto';
import type { Hash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import sax from 'sax';
import { AppError } from '@vanthu/platform';

// Reads an edXML message as a stream of chunks (here, beside the signature code, because both the exchange service
// that receives a message and the signing service that seals one read it so), so that neither the message nor an attachment is ever
// held whole: a SAX parser (sax, strict, with namespaces) checks well-formedness as it goes; every node
// except the text of `Attachment/ContentTransferEncoded` is written into a small copy of the message (the
// "skeleton"), and that text is decoded from base64 chunk by chunk into the store (memory, or a file per
// attachment), hashed as it goes. In the skeleton, each run of attachment text is replaced by a marker
// that holds a random nonce of this read; the text itself, in its canonical (C14N) escaping, is kept by
// the store so that the XML-DSig reference digest can be fed with it in place of the marker
// (digestWithAttachments). Nothing is repaired: what is not well-formed is refused, a DTD is refused
// outright (no entity expansion, no external entity), and so is nesting deeper than `maxDepth`.

/** A message that cannot be read at all; `rule` names why. */
export class EdxmlRefused extends AppError {
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super('VALIDATION_FAILED', message, { errors: [{ field: 'edxml', message: `${rule}: ${message}` }] });
  }
}

/** Where the decoded bytes and the canonical text of attachments go while a message is read. */
export type AttachmentStore<R> = {
  /** The decoded bytes of attachment `index`, in order (a chunk is reused after `write`); `close` says where they are. */
  bytes(index: number): { write(chunk: Buffer): void; close(): R; discard(): void };
  /** One run of attachment text, already escaped as C14N writes text, read back in order for the digest. */
  text(): { write(text: string): void; close(): void; read(feed: (chunk: string | Buffer) => void): void };
};

/** Attachments kept in memory: for the messages the hubs' size limits allow (the default). */
export const memoryStore: AttachmentStore<{ content: Buffer }> = {
  bytes() {
    let chunks: Buffer[] = [];
    return {
      write: (chunk) => void chunks.push(Buffer.from(chunk)),
      close: () => ({ content: Buffer.concat(chunks) }),
      discard: () => void (chunks = []),
    };
  },
  text() {
    const chunks: string[] = [];
    return {
      write: (text) => void chunks.push(text),
      close: () => undefined,
      read: (feed) => chunks.forEach(feed),
    };
  },
};

/** Runs of attachment text kept in files under `dir`, for the reference digest. */
function textFiles(dir: string): AttachmentStore<unknown>['text'] {
  let texts = 0;
  let encoded = Buffer.alloc(0);
  const readBuffer = Buffer.allocUnsafe(1024 * 1024);
  return () => {
    const file = path.join(dir, `text-${(texts += 1)}`);
    const fd = fs.openSync(file, 'w');
    let open = true;
    return {
      write: (text) => {
        const size = Buffer.byteLength(text);
        if (encoded.length < size) encoded = Buffer.allocUnsafe(Math.max(size, 1024 * 1024));
        fs.writeSync(fd, encoded, 0, encoded.write(text));
      },
      close: () => {
        if (open) fs.closeSync(fd);
        open = false;
      },
      read: (feed) => {
        const input = fs.openSync(file, 'r');
        try {
          const buffer = readBuffer;
          for (let n = fs.readSync(input, buffer); n > 0; n = fs.readSync(input, buffer)) feed(buffer.subarray(0, n));
        } finally {
          fs.closeSync(input);
        }
        fs.rmSync(file, { force: true });
      },
    };
  };
}

/** Attachments written to files under `dir` (one per attachment, its text beside it): large messages. */
export function directoryStore(dir: string): AttachmentStore<{ file: string }> {
  return {
    bytes(index) {
      const file = path.join(dir, `attachment-${index}`);
      const fd = fs.openSync(file, 'w');
      let open = true;
      const shut = () => {
        if (open) fs.closeSync(fd);
        open = false;
      };
      return {
        write: (chunk) => void fs.writeSync(fd, chunk),
        close: () => {
          shut();
          return { file };
        },
        discard: () => {
          shut();
          fs.rmSync(file, { force: true });
        },
      };
    },
    text: textFiles(dir),
  };
}

/**
 * Attachments only hashed and measured, their bytes dropped, their text kept under `dir` for the digest: what a
 * signer needs of a message of any size (the SHA-256 of what it carries, and the digest of the whole).
 */
export function digestOnlyStore(dir: string): AttachmentStore<undefined> {
  return {
    bytes: () => ({ write: () => undefined, close: () => undefined, discard: () => undefined }),
    text: textFiles(dir),
  };
}

/** One attachment's base64 as read: validity, size and SHA-256 of the decoded bytes, where they went. */
export type StreamedAttachment<R> = {
  size: number;
  sha256: string;
  /** The first bytes, to tell a zip from its bytes (`PK\x03\x04`). */
  head: Buffer;
  /** Whitespace inside the base64 (it is split over lines). */
  splitOverLines: boolean;
  problem?: 'base64' | 'size';
  stored?: R;
};

export type StreamedEdxml<R> = {
  /** The message without its attachment text (markers in its place); small whatever the attachments' size. */
  skeleton: string;
  /** Keyed by the marker's attachment number, in document order. */
  attachments: StreamedAttachment<R>[];
  /** The marker text of attachment `index`, as it stands in the skeleton's ContentTransferEncoded. */
  markerPattern: RegExp;
  /** Feeds `hash` with the canonical form, each marker replaced by the text it stands for. */
  digestWithAttachments: (canonical: string, hash: Hash) => void;
  bom: boolean;
};

// XML 1.0 §2.2 Char: what sax does not check by itself.
// eslint-disable-next-line no-control-regex
const notXmlChar = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
/** Text as C14N writes it (what the reference digest is computed over). */
const canonicalText = (text: string): string =>
  text.replace(/[&<>\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' })[c]!);
// In the skeleton, which xmldom reads again: NEL, LS and PS as references too, since xmldom (like an XML 1.1
// parser) would turn them into a line feed (build-edxml.ts writes them so for the same reason).
const skeletonText = (text: string): string =>
  text.replace(/[&<>\r\u0085\u2028\u2029]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : `&#x${c.charCodeAt(0).toString(16)};`,
  );
const skeletonAttribute = (text: string): string =>
  text.replace(/[&<"\t\n\r\u0085\u2028\u2029]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '"' ? '&quot;' : `&#x${c.charCodeAt(0).toString(16)};`,
  );

/** Decodes base64 as it streams, checking it as a whole (the alphabet, padding only at the end, length % 4). */
class Base64Stream<R> {
  private carry = '';
  private padding = 0;
  private seenData = false;
  private pendingSpace = false;
  private readonly hash = createHash('sha256');
  private out = Buffer.alloc(0);
  private readonly sink: ReturnType<AttachmentStore<R>['bytes']>;
  readonly result: StreamedAttachment<R> = { size: 0, sha256: '', head: Buffer.alloc(0), splitOverLines: false };

  constructor(
    store: AttachmentStore<R>,
    index: number,
    private readonly maxBytes: number,
  ) {
    this.sink = store.bytes(index);
  }

  private fail(problem: 'base64' | 'size'): void {
    this.result.problem = problem;
    this.sink.discard();
  }

  push(text: string): void {
    if (this.result.problem) return;
    let compact = text;
    if (/\s/.test(text)) {
      const core = text.trim();
      if (core.length > 0) {
        if ((this.pendingSpace || /^\s/.test(text)) && this.seenData) this.result.splitOverLines = true;
        if (/\s/.test(core)) this.result.splitOverLines = true;
        this.pendingSpace = /\s$/.test(text);
      } else if (this.seenData) this.pendingSpace = true;
      compact = core.replace(/\s+/g, '');
    } else if (text.length > 0 && this.pendingSpace && this.seenData) this.result.splitOverLines = true;
    if (compact.length === 0) return;
    this.seenData = true;
    if (this.padding > 0) {
      if (!/^=*$/.test(compact) || this.padding + compact.length > 2) return this.fail('base64');
      this.padding += compact.length;
      this.carry += compact;
      return;
    }
    const match = /^[A-Za-z0-9+/]*(=*)$/.exec(compact);
    if (!match || match[1]!.length > 2) return this.fail('base64');
    this.padding = match[1]!.length;
    const data = this.carry + compact;
    const usable = this.padding > 0 ? data.length : data.length - (data.length % 4);
    if (this.padding > 0 && data.length % 4 !== 0) {
      this.carry = data;
      return;
    }
    this.carry = data.slice(usable);
    this.emit(data.slice(0, usable));
  }

  private emit(base64: string): void {
    if (base64.length === 0) return;
    // Decoded into one reused buffer: a new one per chunk would leave hundreds of MB to the allocator
    // before the garbage collector frees them (what the store keeps, it copies).
    const needed = (base64.length / 4) * 3;
    if (this.out.length < needed) this.out = Buffer.allocUnsafe(Math.max(needed, 1024 * 1024));
    const bytes = this.out.subarray(0, this.out.write(base64, 0, 'base64'));
    this.result.size += bytes.length;
    if (this.result.size > this.maxBytes) return this.fail('size');
    if (this.result.head.length < 8) {
      this.result.head = Buffer.concat([this.result.head, bytes.subarray(0, 8 - this.result.head.length)]);
    }
    this.hash.update(bytes);
    this.sink.write(bytes);
  }

  end(): StreamedAttachment<R> {
    if (!this.result.problem) {
      if (this.carry.length % 4 !== 0) this.fail('base64');
      else this.emit(this.carry);
    }
    if (!this.result.problem) {
      this.result.sha256 = this.hash.digest('hex');
      this.result.stored = this.sink.close();
    }
    return this.result;
  }
}

export type ReadOptions = {
  maxDepth: number;
  maxAttachmentBytes: number;
  /** The namespace of the Attachment and ContentTransferEncoded elements whose text is streamed (edXML's). */
  carrierNamespace: string;
};

/** A reader fed a message chunk by chunk (`push`), which `finish` turns into its skeleton and attachments. */
type EdxmlReader<R> = { push(chunk: Buffer | string): void; finish(): StreamedEdxml<R> };

/**
 * Reads a message from `chunks` (UTF-8 bytes, or text) into its skeleton and its attachments. Throws
 * EdxmlRefused for what is not well-formed, not UTF-8, a DTD, or too deep.
 */
export function readEdxmlStream<R>(
  chunks: Iterable<Buffer | string>,
  store: AttachmentStore<R>,
  options: ReadOptions,
): StreamedEdxml<R> {
  const reader = edxmlReader(store, options);
  for (const chunk of chunks) reader.push(chunk);
  return reader.finish();
}

/**
 * readEdxmlStream over chunks that arrive asynchronously (fileChunksAsync): the event loop turns between two
 * chunks, so that reading a large message does not keep a service from answering meanwhile.
 */
export async function readEdxmlStreamAsync<R>(
  chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  store: AttachmentStore<R>,
  options: ReadOptions,
): Promise<StreamedEdxml<R>> {
  const reader = edxmlReader(store, options);
  for await (const chunk of chunks) reader.push(chunk);
  return reader.finish();
}

function edxmlReader<R>(store: AttachmentStore<R>, options: ReadOptions): EdxmlReader<R> {
  const nonce = randomBytes(12).toString('hex');
  const marker = (index: number, run: number) => `\uE000${nonce}-${index}-${run}\uE001`;
  const markerPattern = new RegExp(`\uE000${nonce}-(\\d+)-(\\d+)\uE001`, 'g');
  const parts: string[] = [];
  const attachments: StreamedAttachment<R>[] = [];
  const texts = new Map<string, ReturnType<AttachmentStore<R>['text']>>();
  // Position tracking stays on: sax flushes long text only by position (off, a 200 MB text node is one string).
  const parser = sax.parser(true, { xmlns: true });
  const refuse = (message: string): never => {
    throw new EdxmlRefused('edxml.well-formed', `not well-formed XML: ${message}`);
  };
  const checkChars = (value: string, where: string) => {
    if (notXmlChar.test(value)) refuse(`a character XML does not allow in ${where}`);
  };
  // The open elements: whether each is an Attachment, and the base64 stream when it is its ContentTransferEncoded.
  const open: { attachment: boolean; slot?: number; base64?: Base64Stream<R> }[] = [];
  let run: { key: string; sink: ReturnType<AttachmentStore<R>['text']> } | undefined;
  let runs = 0;
  /** ContentTransferEncoded elements met so far: each one's number in `attachments`. */
  let slots = 0;
  let sawRoot = false;
  let sawAnything = false;
  let attributeNames = new Set<string>();
  let textTail = '';
  const endRun = () => {
    run?.sink.close();
    run = undefined;
  };
  const onText = (text: string) => {
    sawAnything = true;
    checkChars(text, 'text');
    // `]]>` may straddle two text events. The tail is rebuilt from single characters: a slice of the text,
    // or a concatenation with it, would keep every earlier piece of a large attachment alive.
    if (text.includes(']]>') || (textTail && `${textTail}${text.slice(0, 2)}`.includes(']]>'))) refuse(']]> in text');
    textTail = text.length >= 2 ? text.charAt(text.length - 2) + text.charAt(text.length - 1) : text.charAt(0);
    if (open.length === 0) return; // whitespace outside the root (sax refuses anything else); not in C14N
    const base64 = open[open.length - 1]!.base64;
    if (!base64) {
      parts.push(skeletonText(text));
      return;
    }
    if (!run) {
      runs += 1;
      const key = marker(open[open.length - 1]!.slot!, runs);
      run = { key, sink: store.text() };
      texts.set(key, run.sink);
      parts.push(key);
    }
    run.sink.write(canonicalText(text));
    base64.push(text);
  };
  parser.onerror = (error) => refuse(error.message.split('\n')[0] ?? 'unreadable');
  parser.ondoctype = () => {
    throw new EdxmlRefused('edxml.doctype', 'a DTD is not allowed in edXML');
  };
  parser.ontext = onText;
  parser.oncdata = onText;
  parser.onopencdata = () => void (textTail = '');
  parser.onclosecdata = () => void (textTail = '');
  parser.oncomment = (comment) => {
    sawAnything = true;
    checkChars(comment, 'a comment');
    endRun();
    textTail = '';
    parts.push(`<!--${comment}-->`);
  };
  parser.onprocessinginstruction = ({ name, body }) => {
    checkChars(body, 'a processing instruction');
    if (name.toLowerCase() === 'xml') {
      // sax drops whitespace before the root silently: the declaration's position tells (1: the first character).
      if (sawAnything || parser.startTagPosition !== 1) refuse('the XML declaration is not at the start');
      sawAnything = true;
      return;
    }
    sawAnything = true;
    endRun();
    textTail = '';
    parts.push(body ? `<?${name} ${body}?>` : `<?${name}?>`);
  };
  parser.onopentagstart = () => {
    attributeNames = new Set();
  };
  parser.onattribute = (attribute) => {
    if (attributeNames.has(attribute.name)) refuse(`attribute ${attribute.name} appears twice`);
    attributeNames.add(attribute.name);
    checkChars(attribute.value, `attribute ${attribute.name}`);
  };
  parser.onopentag = (tag) => {
    const element = tag as sax.QualifiedTag;
    sawAnything = true;
    if (open.length === 0) {
      if (sawRoot) refuse('more than one root element');
      sawRoot = true;
    }
    if (open.length + 1 > options.maxDepth) {
      throw new EdxmlRefused('edxml.depth', `elements nest deeper than ${options.maxDepth}`);
    }
    endRun();
    textTail = '';
    // Well-formedness (XML 1.0 §3.1 "Unique Att Spec") is checked on names in onattribute; Namespaces in XML §6.3
    // asks the same of expanded names, which sax does not check: p:a and q:a with p and q bound to one namespace.
    const expanded = new Set<string>();
    for (const attribute of Object.values(element.attributes)) {
      if (attribute.prefix === 'xmlns' || attribute.name === 'xmlns' || attribute.prefix === '') continue;
      const key = `{${attribute.uri}}${attribute.local}`;
      if (expanded.has(key)) refuse(`attribute ${key} appears twice (as ${attribute.name})`);
      expanded.add(key);
    }
    let start = `<${element.name}`;
    for (const attribute of Object.values(element.attributes)) {
      // Attribute-value normalisation (XML 1.0 §3.3.3), which sax leaves undone: whitespace becomes a space.
      // sax cannot tell a literal tab or newline from a character reference, so both are normalised (a
      // reference to one in an attribute of edXML is not known to occur).
      start += ` ${attribute.name}="${skeletonAttribute(attribute.value.replace(/[\t\n\r]/g, ' '))}"`;
    }
    parts.push(`${start}>`);
    const inQcvn = element.uri === options.carrierNamespace;
    const parent = open[open.length - 1];
    const carries = inQcvn && element.local === 'ContentTransferEncoded' && parent?.attachment === true;
    if (!carries) {
      open.push({ attachment: inQcvn && element.local === 'Attachment' });
      return;
    }
    // The attachment's own marker (run 0, no text): which streamed attachment this element is.
    const slot = slots;
    slots += 1;
    open.push({ attachment: false, slot, base64: new Base64Stream(store, slot, options.maxAttachmentBytes) });
    parts.push(marker(slot, 0));
  };
  parser.onclosetag = (name) => {
    endRun();
    textTail = '';
    const closed = open.pop();
    if (closed?.base64) attachments[closed.slot!] = closed.base64.end();
    parts.push(`</${name}>`);
  };

  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let first = true;
  let bom = false;
  let carriedCr = false;
  const push = (chunk: Buffer | string): void => {
    let text: string;
    if (typeof chunk === 'string') text = chunk;
    else {
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        throw new EdxmlRefused('edxml.encoding', 'the message is not valid UTF-8');
      }
    }
    // End-of-line handling (XML 1.0 §2.11) before parsing, which sax leaves undone: CR LF and CR become LF.
    if (carriedCr) text = `\r${text}`;
    carriedCr = text.endsWith('\r');
    if (carriedCr) text = text.slice(0, -1);
    if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
    if (first && text.length > 0) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) {
        bom = true;
        text = text.slice(1);
      }
    }
    parser.write(text);
  };
  const finish = (): StreamedEdxml<R> => {
    try {
      const rest = decoder.decode() + (carriedCr ? '\r' : '');
      if (rest) parser.write(rest.replace(/\r\n?/g, '\n'));
    } catch {
      throw new EdxmlRefused('edxml.encoding', 'the message is not valid UTF-8');
    }
    parser.close();
    if (!sawRoot) refuse('the document has no root element');

    const digestWithAttachments = (canonical: string, hash: Hash) => {
      let at = 0;
      const seen = new Set<string>();
      for (const match of canonical.matchAll(markerPattern)) {
        if (seen.has(match[0])) throw new Error('an attachment marker appears twice');
        seen.add(match[0]);
        hash.update(canonical.slice(at, match.index), 'utf8');
        texts.get(match[0])?.read((piece) => hash.update(piece as never));
        at = match.index + match[0].length;
      }
      hash.update(canonical.slice(at), 'utf8');
    };
    return { skeleton: parts.join(''), attachments, markerPattern, digestWithAttachments, bom };
  };
  return { push, finish };
}

// Chunks stay well under 1 MB: Node makes a longer decoded string an external string, which the garbage
// collector frees late, so that reading 200 MB in 1 MB chunks peaked at several hundred MB.
const chunkBytes = 64 * 1024;

/** A file's bytes in chunks, read synchronously into one buffer (each chunk is gone at the next). */
export function* fileChunks(file: string): Generator<Buffer> {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    for (let n = fs.readSync(fd, buffer); n > 0; n = fs.readSync(fd, buffer)) yield buffer.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** fileChunks read asynchronously: the event loop turns between two chunks. */
export async function* fileChunksAsync(file: string): AsyncGenerator<Buffer> {
  const handle = await fsp.open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    for (let n = (await handle.read(buffer, 0, chunkBytes, null)).bytesRead; n > 0;) {
      yield buffer.subarray(0, n);
      n = (await handle.read(buffer, 0, chunkBytes, null)).bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/** A buffer or a string in slices, so that the SAX parser never gets one huge string. */
export function* slices(input: Buffer | string, size = chunkBytes): Generator<Buffer | string> {
  for (let at = 0; at < input.length;) {
    let end = Math.min(input.length, at + size);
    if (typeof input === 'string') {
      const last = input.charCodeAt(end - 1);
      if (end < input.length && last >= 0xd800 && last <= 0xdbff) end -= 1; // never split a surrogate pair
      yield input.slice(at, end);
    } else yield input.subarray(at, end);
    at = end;
  }
}
