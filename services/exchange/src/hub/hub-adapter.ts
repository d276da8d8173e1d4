import { createHash } from 'node:crypto';
import fs from 'node:fs';

// What vanthu needs from an interoperability hub, whichever hub it is (the national VDXP through
// the VNPT VXP protocol, a provincial LGSP): send, list what arrived, fetch it, acknowledge it,
// and the agency directory. Each call is made with one agency's own hub account.

export type HubCredentials = { agencyCode: string; systemId: string; secret: string };

export type HubMessageType = 'edoc' | 'status';

export type ReceivedItem = { docId: string; from: string; messageType: HubMessageType; createdTime?: string };

export type HubAgency = { code: string; name: string; parentCode?: string };

/**
 * What a hub answered to a send: its id for the message, or that it holds this message already (Bkav's
 * `ExistDoc` to a file sent again after its first answer was lost), which is a delivery, not a failure; that
 * answer carries no id.
 */
export type SentEdoc = { docId: string; alreadyHeld?: false } | { docId: null; alreadyHeld: true };

/**
 * A message to send: its bytes as a Blob (a file-backed one for a stored message, which fetch streams from
 * disk as the request goes) and their SHA-256, which VXP and Bkav send beside it.
 */
export type OutgoingEdxml = { blob: Blob; sha256: string };

/** A stored message (message-store.ts) to send, streamed from its file. */
export async function outgoingEdxml(stored: { file: string; sha256: string }): Promise<OutgoingEdxml> {
  return { blob: await fs.openAsBlob(stored.file, { type: 'application/xml' }), sha256: stored.sha256 };
}

/** What an adapter is given to send: a stored message, or bytes built in memory (a test's, a benchmark's). */
export type EdxmlToSend = OutgoingEdxml | Buffer;

/** The message to send as a Blob and its hash, whichever form it was given in. */
export function sendable(edxml: EdxmlToSend): OutgoingEdxml {
  if (!Buffer.isBuffer(edxml)) return edxml;
  return {
    blob: new Blob([new Uint8Array(edxml)], { type: 'application/xml' }),
    sha256: createHash('sha256').update(edxml).digest('hex'),
  };
}

/** Takes a fetched message's bytes as they arrive (a spool file); a rejection stops the fetch. */
export type MessageSink = (chunk: Buffer) => Promise<void>;

export type HubAdapter = {
  readonly name: string;
  sendEdoc(
    credentials: HubCredentials,
    message: { messageType: HubMessageType; to: string[]; edxml: EdxmlToSend },
  ): Promise<SentEdoc>;
  listReceived(credentials: HubCredentials, messageType: HubMessageType): Promise<ReceivedItem[]>;
  /**
   * Fetches one message into `write`, as it streams (never whole in memory). Rejects once the answer is
   * read if the hub refused, or answered no message: what `write` took is then to be discarded.
   */
  getEdoc(credentials: HubCredentials, docId: string, write: MessageSink): Promise<void>;
  /** The transport acknowledgement (done, fail, processing), separate from the edXML StatusCode. */
  acknowledge(credentials: HubCredentials, docId: string, status: 'done' | 'fail' | 'processing'): Promise<void>;
  listAgencies(credentials: HubCredentials): Promise<HubAgency[]>;
};

// LGSP error codes, which the VXP responses use too: 0 OK, 10 invalid file, 15 wrong
// credentials, 18 unknown recipient, 19 sender not registered, 20 hub system error, 21 file
// processing error, 22 edXML not conformant, 23 recipient locked.
const businessCodes = new Set(['10', '15', '18', '19', '21', '22', '23']);

/** A hub call that failed. Network errors, 5xx and code 20 are retried; business refusals never. */
export class HubError extends Error {
  readonly retriable: boolean;

  constructor(
    readonly code: string,
    message: string,
    options: { retriable?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'HubError';
    this.retriable = options.retriable ?? !businessCodes.has(code);
  }
}

/** One HTTP call to a hub: a network failure or a timeout is a retriable HubError naming the operation. */
export async function hubFetch(
  operation: string,
  url: URL | string,
  init: RequestInit,
  timeoutMs: number,
): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new HubError('network', `the hub cannot be reached (${operation}): ${(error as Error).message}`, {
      retriable: true,
      cause: error,
    });
  }
}

/** A hub's JSON answer; 5xx and an answer that is not JSON are the hub's own failure (code 20, retried). */
export async function hubAnswer<T>(operation: string, response: Response): Promise<T> {
  if (response.status >= 500) throw new HubError('20', `the hub answered HTTP ${response.status} to ${operation}`);
  try {
    return (await response.json()) as T;
  } catch (error) {
    throw new HubError('20', `the hub answered ${operation} with no JSON (HTTP ${response.status})`, { cause: error });
  }
}
