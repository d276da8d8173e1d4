import { HubError } from './hub-adapter';
import type { HubAdapter, HubAgency, HubCredentials, HubMessageType, ReceivedItem } from './hub-adapter';

// The provincial LGSP REST shape (docs/domain/edxml-facts.md §3.3; requirements.md §3.4, the Lạng Sơn
// integration): `X-SystemId` and `X-SecretKey` on every call; `POST /v1/sendEdoc` multipart with the
// edXML as `edocFile` and a `messageType` field; `GET /v1/syncReceivedEdocList?messageType&fromDate&toDate`
// (yyyy/MM/dd); `GET /v1/getEdoc?docId` answering the edXML base64 in `data.edxml`; `POST /v1/updateStatus
// {docId, status}`. Answers are `{success, message, docId | data}`; a refusal is `{success: false, data:
// {errorCode, errorDesc}}` with the codes 10, 15, 18, 19, 20, 21, 22, 23. The organisation list's path is
// not in the public sources [U]: `GET /v1/organizations` answering `{orgCode, orgName, parentCode}` as the
// same integrator's earlier client reads it.

type LgspAnswer = {
  success?: boolean;
  message?: string;
  docId?: string;
  count?: number;
  data?: unknown;
};

/** How far back the received list is read: messages stay listed until acknowledged, so a window suffices. */
const listWindowDays = 30;

const lgspDay = (at: Date): string =>
  new Date(at.getTime() + 7 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '/');

export class LgspAdapter implements HubAdapter {
  readonly name: string;
  private readonly timeoutMs: number;
  private readonly clock: () => Date;

  constructor(
    private readonly baseUrl: string,
    options: { name?: string; timeoutMs?: number; clock?: () => Date } = {},
  ) {
    this.name = options.name ?? 'lgsp';
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.clock = options.clock ?? (() => new Date());
  }

  private async call(
    operation: string,
    credentials: HubCredentials,
    init: { method: 'GET' | 'POST'; query?: Record<string, string>; body?: FormData | string },
  ): Promise<LgspAnswer> {
    const url = new URL(`${this.baseUrl.replace(/\/$/, '')}/v1/${operation}`);
    for (const [name, value] of Object.entries(init.query ?? {})) url.searchParams.set(name, value);
    const headers: Record<string, string> = {
      'X-SystemId': credentials.systemId,
      'X-SecretKey': credentials.secret,
      accept: 'application/json',
    };
    if (typeof init.body === 'string') headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(url, {
        method: init.method,
        headers,
        ...(init.body !== undefined ? { body: init.body } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new HubError('network', `the hub cannot be reached (${operation}): ${(error as Error).message}`, {
        retriable: true,
        cause: error,
      });
    }
    if (response.status >= 500) throw new HubError('20', `the hub answered HTTP ${response.status} to ${operation}`);
    let answer: LgspAnswer;
    try {
      answer = (await response.json()) as LgspAnswer;
    } catch (error) {
      throw new HubError('20', `the hub answered ${operation} with no JSON (HTTP ${response.status})`, {
        cause: error,
      });
    }
    if (answer.success !== true) {
      const data = (answer.data ?? {}) as { errorCode?: unknown; errorDesc?: unknown };
      const code = typeof data.errorCode === 'string' ? data.errorCode : String(response.status);
      const reason = typeof data.errorDesc === 'string' ? data.errorDesc : (answer.message ?? 'no reason given');
      throw new HubError(code, `the hub refused ${operation}: ${reason}`);
    }
    return answer;
  }

  async sendEdoc(
    credentials: HubCredentials,
    message: { messageType: HubMessageType; to: string[]; edxml: Buffer },
  ): Promise<{ docId: string }> {
    const form = new FormData();
    form.append('edocFile', new Blob([message.edxml], { type: 'application/xml' }), 'edoc.edxml');
    form.append('messageType', message.messageType);
    const answer = await this.call('sendEdoc', credentials, { method: 'POST', body: form });
    const docId = answer.docId ?? (answer.data as { docId?: string } | undefined)?.docId;
    if (!docId) throw new HubError('20', 'the hub accepted sendEdoc without a docId');
    return { docId };
  }

  async listReceived(credentials: HubCredentials, messageType: HubMessageType): Promise<ReceivedItem[]> {
    const now = this.clock();
    const answer = await this.call('syncReceivedEdocList', credentials, {
      method: 'GET',
      query: {
        messageType,
        fromDate: lgspDay(new Date(now.getTime() - listWindowDays * 86_400_000)),
        toDate: lgspDay(now),
      },
    });
    const items = Array.isArray(answer.data) ? (answer.data as Record<string, unknown>[]) : [];
    return items
      .filter((item) => item.status !== 'done')
      .map((item) => ({
        docId: String(item.docId),
        from: String(item.from ?? ''),
        messageType: item.messageType === 'status' ? 'status' : messageType,
        ...(typeof item.createdTime === 'string' ? { createdTime: item.createdTime } : {}),
      }));
  }

  async getEdoc(credentials: HubCredentials, docId: string): Promise<Buffer> {
    const answer = await this.call('getEdoc', credentials, { method: 'GET', query: { docId } });
    const edxml = (answer.data as { edxml?: unknown } | undefined)?.edxml;
    if (typeof edxml !== 'string') throw new HubError('20', `getEdoc ${docId} answered no edxml`);
    return Buffer.from(edxml, 'base64');
  }

  async acknowledge(credentials: HubCredentials, docId: string, status: 'done' | 'fail' | 'processing'): Promise<void> {
    await this.call('updateStatus', credentials, { method: 'POST', body: JSON.stringify({ docId, status }) });
  }

  async listAgencies(credentials: HubCredentials): Promise<HubAgency[]> {
    const answer = await this.call('organizations', credentials, { method: 'GET' });
    const items = Array.isArray(answer.data) ? (answer.data as Record<string, unknown>[]) : [];
    return items.map((item) => ({
      code: String(item.orgCode),
      name: String(item.orgName ?? ''),
      ...(typeof item.parentCode === 'string' ? { parentCode: item.parentCode } : {}),
    }));
  }
}
