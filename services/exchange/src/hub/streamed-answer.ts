import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { parser } from 'stream-json';
import { HubError } from './hub-adapter';

// A hub answers getEdoc with the whole edXML as one base64 string inside its JSON (VXP `data`, LGSP
// `data.edxml`, Bkav `data`): tens of MB for a message with a large attachment. The answer is read as a stream
// of JSON tokens (stream-json): the string at `target` is decoded from base64 chunk by chunk and handed to
// `write` as it arrives, and everything else of the answer (the error code, the description, the ids) is
// assembled into a small object, bounded, for the adapter to judge once the answer is complete. Neither the
// answer nor the message is ever held whole.

/** What the rest of an answer may take: its codes and descriptions, never a second message. */
const maxOtherBytes = 256 * 1024;

/** An open object or array: `name` is its key in its parent ('[]' in an array), `key` the key awaiting a value. */
type Container = { value: Record<string, unknown> | unknown[]; name?: string; key?: string };

/** Decodes base64 as it streams: whitespace (a hub may wrap lines) is skipped, anything else not base64 refused. */
class Base64Decoder {
  private carry = '';
  private ended = false;

  constructor(
    private readonly operation: string,
    private readonly write: (chunk: Buffer) => Promise<void>,
  ) {}

  async push(text: string): Promise<void> {
    const compact = /\s/.test(text) ? text.replace(/\s+/g, '') : text;
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || (this.ended && compact.length > 0)) {
      throw new HubError('20', `the hub answered ${this.operation} with a message that is not base64`);
    }
    if (compact.endsWith('=')) this.ended = true;
    const data = this.carry + compact;
    const usable = this.ended ? data.length : data.length - (data.length % 4);
    this.carry = data.slice(usable);
    if (usable > 0) await this.write(Buffer.from(data.slice(0, usable), 'base64'));
  }

  end(): void {
    if (this.carry.length > 0) {
      throw new HubError('20', `the hub answered ${this.operation} with base64 cut short`);
    }
  }
}

/**
 * Reads a hub's JSON answer from `response`, streaming the base64 string at `target` (a path of keys) into
 * `write` as decoded bytes. Returns the rest of the answer, with `true` where the target string stood (so the
 * caller can tell an answer that carried none). 5xx and an answer that is not JSON are the hub's own failure
 * (code 20, retried), as for every other call.
 */
export async function streamedAnswer<T>(
  operation: string,
  response: Response,
  target: string[],
  write: (chunk: Buffer) => Promise<void>,
): Promise<T> {
  if (response.status >= 500) {
    await response.body?.cancel();
    throw new HubError('20', `the hub answered HTTP ${response.status} to ${operation}`);
  }
  if (!response.body) throw new HubError('20', `the hub answered ${operation} with no body`);
  const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  const tokens = body.pipe(
    parser({ packKeys: true, streamKeys: false, packNumbers: true, streamNumbers: false, packStrings: false }),
  );
  // What `write` throws (the store's size limit: BlobTooLarge) is the caller's to judge, not the hub's failure.
  let refusedByWrite: { error: unknown } | undefined;
  const sink = async (chunk: Buffer): Promise<void> => {
    try {
      await write(chunk);
    } catch (error) {
      refusedByWrite = { error };
      throw error;
    }
  };
  const stack: Container[] = [];
  let root: unknown;
  let other = 0;
  let text: string[] | undefined;
  let decoder: Base64Decoder | undefined;
  let found = false;
  /** The path of keys to the value about to be placed. */
  const path = (): string => {
    const top = stack[stack.length - 1];
    const names = stack.slice(1).map((c) => c.name ?? '');
    return [...names, top && Array.isArray(top.value) ? '[]' : (top?.key ?? '')].join('\u0000');
  };
  const wanted = target.join('\u0000');
  /** Places a value in the open container; returns the name it got there. */
  const place = (value: unknown): string | undefined => {
    const top = stack[stack.length - 1];
    if (!top) root = value;
    else if (Array.isArray(top.value)) {
      top.value.push(value);
      return '[]';
    } else if (top.key !== undefined) {
      const name = top.key;
      top.value[name] = value;
      top.key = undefined;
      return name;
    }
    return undefined;
  };
  try {
    for await (const token of tokens as AsyncIterable<{ name: string; value?: string }>) {
      switch (token.name) {
        case 'startObject':
        case 'startArray': {
          const value = token.name === 'startObject' ? {} : [];
          const name = place(value);
          stack.push({ value, ...(name !== undefined ? { name } : {}) });
          break;
        }
        case 'endObject':
        case 'endArray':
          stack.pop();
          break;
        case 'keyValue': {
          const top = stack[stack.length - 1]!;
          top.key = token.value!;
          other += token.value!.length;
          break;
        }
        case 'startString': {
          if (stack.length > 0 && path() === wanted) {
            if (found) throw new HubError('20', `the hub answered ${operation} with the message twice`);
            found = true;
            decoder = new Base64Decoder(operation, sink);
          } else text = [];
          break;
        }
        case 'stringChunk':
          if (decoder) await decoder.push(token.value!);
          else {
            other += token.value!.length;
            if (other > maxOtherBytes) throw new HubError('20', `the hub answered ${operation} with too much besides`);
            text!.push(token.value!);
          }
          break;
        case 'endString':
          if (decoder) {
            decoder.end();
            decoder = undefined;
            place(true);
          } else {
            place(text!.join(''));
            text = undefined;
          }
          break;
        case 'numberValue':
          place(Number(token.value));
          break;
        case 'trueValue':
          place(true);
          break;
        case 'falseValue':
          place(false);
          break;
        case 'nullValue':
          place(null);
          break;
        default:
          break;
      }
    }
  } catch (error) {
    // The rest of the answer is not read: the body is cancelled, so the connection is not left waiting on it.
    tokens.destroy();
    body.destroy();
    if (refusedByWrite) throw refusedByWrite.error;
    if (error instanceof HubError) throw error;
    throw new HubError('20', `the hub answered ${operation} with no JSON (HTTP ${response.status})`, { cause: error });
  }
  if (root === undefined || typeof root !== 'object' || root === null) {
    throw new HubError('20', `the hub answered ${operation} with no JSON object (HTTP ${response.status})`);
  }
  return root as T;
}
