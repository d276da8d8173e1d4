import { HubError, hubAnswer, hubFetch, sendable } from './hub-adapter';
import type {
  HubAdapter,
  HubAgency,
  HubCredentials,
  HubMessageType,
  EdxmlToSend,
  MessageSink,
  ReceivedItem,
  SentEdoc,
} from './hub-adapter';
import { streamedAnswer } from './streamed-answer';

// The Bkav eDoc hub (docs/domain/edxml-facts.md "Bkav eDoc"; the shapes read from the public eDoc service,
// `edoc-service-2.0/…/EdocController.java` and `EdocServiceConstant.java` of the BK source): under
// `/EdocService`, every call carries the agency's `organid` and its token in `authorization` (the token does
// travel, unlike VXP's HMAC), the message kind in `type` (`EDOC` or `STATUS`) and the document in `docid`:
// - `POST /sendDocument`: the edXML itself as `application/octet-stream`, with `hash-edoc` = hex SHA-256; the
//   recipients are read from the edXML's To (a status goes to its ResponseFor); answers `{docId}`;
// - `GET /getPendingDocIds`: `{docIDs: [...]}`, what waits for the agency until confirmed;
// - `POST /getDocument`: `{data}`, the edXML in base64;
// - `POST /confirmReceived`: takes the message off the pending list;
// - `GET /getOrganizations?domain=<code>`: `{organizations: [{domain, name, inCharge, …}]}`, the organs under one.
// Every answer is `{status: Success|Fail|Error, code: "0" | "9999", errors: [{code, message}]}` [U: the error
// item's field names]. "9999" is every failure alike, so the error items decide: `InternalServer` is the hub's
// own failure and is retried; `ExistDoc` to sendDocument means the hub holds this document already (a send
// repeated after its answer was lost), so the document is delivered and the send succeeds without an id;
// anything else (BadRequest, a checker's rule) is a refusal and never is retried.

type BkavError = { code?: string; message?: string };
type BkavAnswer = {
  status?: string;
  code?: string;
  errors?: BkavError[];
  docId?: string | number;
  docIDs?: (string | number)[];
  data?: unknown;
  organizations?: Record<string, unknown>[];
};

const kind = (messageType: HubMessageType): string => (messageType === 'status' ? 'STATUS' : 'EDOC');

export class BkavAdapter implements HubAdapter {
  readonly name: string;
  private readonly timeoutMs: number;
  /** The organ whose children `getOrganizations` lists (the province); the calling agency when not set. */
  private readonly directoryDomain: string | undefined;
  /** The kind each pending id was listed as, which getDocument needs (bounded). */
  private readonly listedAs = new Map<string, HubMessageType>();

  constructor(
    private readonly baseUrl: string,
    options: { name?: string; timeoutMs?: number; directoryDomain?: string } = {},
  ) {
    this.name = options.name ?? 'bkav';
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.directoryDomain = options.directoryDomain;
  }

  private request(
    operation: string,
    credentials: HubCredentials,
    init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: Blob; query?: string },
  ): Promise<Response> {
    return hubFetch(
      operation,
      `${this.baseUrl}/EdocService/${operation}${init.query ?? ''}`,
      {
        method: init.method,
        headers: { organid: credentials.agencyCode, authorization: credentials.secret, ...init.headers },
        ...(init.body ? { body: init.body } : {}),
      },
      this.timeoutMs,
    );
  }

  private async call(
    operation: string,
    credentials: HubCredentials,
    init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: Blob; query?: string },
  ): Promise<BkavAnswer> {
    const response = await this.request(operation, credentials, init);
    return this.judge(operation, response, await hubAnswer<BkavAnswer>(operation, response));
  }

  private judge(operation: string, response: Response, answer: BkavAnswer): BkavAnswer {
    if (answer.code !== '0') {
      const errors = Array.isArray(answer.errors) ? answer.errors : [];
      const reason = errors.map((e) => `${e.code ?? '?'}: ${e.message ?? ''}`).join('; ') || 'no reason given';
      throw new HubError(answer.code ?? String(response.status), `the hub refused ${operation}: ${reason}`, {
        retriable: errors.some((e) => e.code === 'InternalServer'),
        cause: { bkavErrors: errors.map((e) => e.code ?? '') },
      });
    }
    return answer;
  }

  async sendEdoc(
    credentials: HubCredentials,
    message: { messageType: HubMessageType; to: string[]; edxml: EdxmlToSend },
  ): Promise<SentEdoc> {
    let answer: BkavAnswer;
    const edxml = sendable(message.edxml);
    try {
      answer = await this.call('sendDocument', credentials, {
        method: 'POST',
        headers: {
          'content-type': 'application/octet-stream',
          type: kind(message.messageType),
          'hash-edoc': edxml.sha256,
        },
        body: edxml.blob,
      });
    } catch (error) {
      // Only ExistDoc alone: with another error beside it, the hub refused something about this send too.
      const codes = error instanceof HubError ? (error.cause as { bkavErrors?: string[] } | undefined)?.bkavErrors : [];
      if (codes && codes.length > 0 && codes.every((code) => code === 'ExistDoc'))
        return { docId: null, alreadyHeld: true };
      throw error;
    }
    if (answer.docId === undefined || answer.docId === null || String(answer.docId) === '0') {
      throw new HubError('20', 'the hub accepted sendDocument without a docId');
    }
    return { docId: String(answer.docId) };
  }

  async listReceived(credentials: HubCredentials, messageType: HubMessageType): Promise<ReceivedItem[]> {
    const answer = await this.call('getPendingDocIds', credentials, {
      method: 'GET',
      headers: { type: kind(messageType) },
    });
    // The list names no sender: the edXML's From does, once fetched.
    const items = (Array.isArray(answer.docIDs) ? answer.docIDs : []).map((id) => ({
      docId: String(id),
      from: '',
      messageType,
    }));
    if (this.listedAs.size > 10_000) this.listedAs.clear();
    for (const item of items) this.listedAs.set(item.docId, messageType);
    return items;
  }

  async getEdoc(credentials: HubCredentials, docId: string, write: MessageSink): Promise<void> {
    // getDocument wants the kind of message (a status's id is a trace id): the kind it was listed as.
    const type = kind(this.listedAs.get(docId) ?? 'edoc');
    let size = 0;
    const counted: MessageSink = (chunk) => {
      size += chunk.length;
      return write(chunk);
    };
    const init = { method: 'POST' as const, headers: { docid: docId, type } };
    const response = await this.request('getDocument', credentials, init);
    const answer = this.judge(
      'getDocument',
      response,
      await streamedAnswer<BkavAnswer>('getDocument', response, ['data'], counted),
    );
    if (answer.data !== true || size === 0) {
      throw new HubError('20', `getDocument ${docId} answered no data`);
    }
  }

  /** Bkav knows one transport answer, confirmReceived, for a message taken (done or failed); processing sends nothing. */
  async acknowledge(credentials: HubCredentials, docId: string, status: 'done' | 'fail' | 'processing'): Promise<void> {
    if (status === 'processing') return;
    await this.call('confirmReceived', credentials, { method: 'POST', headers: { docid: docId } });
    this.listedAs.delete(docId);
  }

  async listAgencies(credentials: HubCredentials): Promise<HubAgency[]> {
    const domain = this.directoryDomain ?? credentials.agencyCode;
    const answer = await this.call('getOrganizations', credentials, {
      method: 'GET',
      query: `?domain=${encodeURIComponent(domain)}`,
    });
    return (Array.isArray(answer.organizations) ? answer.organizations : []).map((organ) => ({
      code: String(organ.domain),
      name: String(organ.name ?? ''),
      parentCode: domain,
    }));
  }
}
