import { HubError, hubAnswer, hubFetch, sendable } from './hub-adapter';
import type {
  HubAdapter,
  HubAgency,
  HubCredentials,
  HubMessageType,
  MessageSink,
  EdxmlToSend,
  ReceivedItem,
} from './hub-adapter';
import { streamedAnswer } from './streamed-answer';

// The provincial LGSP REST shape (docs/domain/edxml-facts.md §3.3; docs/domain/requirements.md §3.4,
// the Lạng Sơn integration): `X-SystemId` and `X-SecretKey` on every call; `POST /v1/sendEdoc` multipart with the
// edXML as `edocFile` and a `messageType` field; `GET /v1/syncReceivedEdocList?messageType&fromDate&toDate`
// (yyyy/MM/dd); `GET /v1/getEdoc?docId` answering the edXML base64 in `data.edxml`; `POST /v1/updateStatus
// {docId, status}`. Answers are `{success, message, docId | data}`; a refusal is `{success: false, data:
// {errorCode, errorDesc}}` with the codes 10, 15, 18, 19, 20, 21, 22, 23. The organisation list's path is
// not in the public sources [U]: `GET /v1/organizations` answering `{orgCode, orgName, parentCode}` as the
// same integrator's earlier client reads it.
//
// The Lạng Sơn LGSP also wants `Authorization: Bearer <token>` on every call besides X-SystemId and
// X-SecretKey (the same integrator's lgsp-auth.ts): the token comes from `POST /v1/auth/login?allow_anonymous=true`
// with the integration's account `{username, password, applicationCode, otp: null, twoFactorProvider: null,
// typeObjs: [0, 1]}`, answered in `data.token` (or `token`), and lasts 30 minutes. The adapter logs in when it
// has no token or the token is about to expire, once for all calls in flight, and logs in again once when a
// call is answered 401.

type LgspAnswer = {
  success?: boolean;
  message?: string;
  docId?: string;
  count?: number;
  data?: unknown;
};

/** The integration's LGSP account (one per vanthu instance and hub, not per agency). */
export type LgspLogin = { username: string; password: string; applicationCode: string };

/** A token is renewed this long before it expires, so no call carries one that dies on the way. */
const renewBeforeMs = 60_000;
/** The token's life when the hub says nothing of it (Lạng Sơn: 30 minutes). */
const defaultTokenLifeMs = 29 * 60_000;

/** The `exp` of a JWT, if the token is one. */
function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** How far back the received list is read: messages stay listed until acknowledged, so a window suffices. */
const listWindowDays = 30;

const lgspDay = (at: Date): string =>
  new Date(at.getTime() + 7 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '/');

export class LgspAdapter implements HubAdapter {
  readonly name: string;
  private readonly timeoutMs: number;
  private readonly clock: () => Date;
  private readonly login: LgspLogin | undefined;
  private token: { value: string; expiresAt: number } | undefined;
  private loggingIn: Promise<string> | undefined;
  /** Logins made (for operators and tests: one per token life, not one per call). */
  logins = 0;

  constructor(
    private readonly baseUrl: string,
    options: { name?: string; timeoutMs?: number; clock?: () => Date; login?: LgspLogin } = {},
  ) {
    this.name = options.name ?? 'lgsp';
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.clock = options.clock ?? (() => new Date());
    this.login = options.login;
  }

  private url(path: string): URL {
    return new URL(`${this.baseUrl.replace(/\/$/, '')}/v1/${path}`);
  }

  /** The bearer token to send, logging in first when there is none or it is about to expire. */
  private async bearer(renew: boolean): Promise<string | undefined> {
    if (!this.login) return undefined;
    const now = this.clock().getTime();
    if (!renew && this.token && now < this.token.expiresAt - renewBeforeMs) return this.token.value;
    this.loggingIn ??= this.logIn(this.login).finally(() => {
      this.loggingIn = undefined;
    });
    return this.loggingIn;
  }

  private async logIn(login: LgspLogin): Promise<string> {
    const url = this.url('auth/login');
    url.searchParams.set('allow_anonymous', 'true');
    const response = await hubFetch(
      'login',
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ ...login, otp: null, twoFactorProvider: null, typeObjs: [0, 1] }),
      },
      this.timeoutMs,
    );
    if (response.status >= 500) throw new HubError('20', `the hub answered HTTP ${response.status} to the login`);
    const answer = (await response.json().catch(() => ({}))) as {
      message?: string;
      token?: unknown;
      data?: { token?: unknown; expiresIn?: unknown };
    };
    const token = typeof answer.data?.token === 'string' ? answer.data.token : answer.token;
    if (!response.ok || typeof token !== 'string' || token === '') {
      // Wrong account: a business refusal (15), never retried until the configuration changes.
      throw new HubError('15', `the hub refused the login: ${answer.message ?? `HTTP ${response.status}`}`);
    }
    const now = this.clock().getTime();
    const expiresIn = answer.data?.expiresIn;
    const expiresAt =
      typeof expiresIn === 'number' && expiresIn > 0
        ? now + expiresIn * 1000
        : (jwtExpiry(token) ?? now + defaultTokenLifeMs);
    this.token = { value: token, expiresAt };
    this.logins += 1;
    return token;
  }

  private async request(
    operation: string,
    credentials: HubCredentials,
    init: { method: 'GET' | 'POST'; query?: Record<string, string>; body?: FormData | string },
  ): Promise<Response> {
    const url = this.url(operation);
    for (const [name, value] of Object.entries(init.query ?? {})) url.searchParams.set(name, value);
    const send = async (renew: boolean): Promise<Response> => {
      const headers: Record<string, string> = {
        'X-SystemId': credentials.systemId,
        'X-SecretKey': credentials.secret,
        accept: 'application/json',
      };
      const token = await this.bearer(renew);
      if (token) headers.authorization = `Bearer ${token}`;
      if (typeof init.body === 'string') headers['content-type'] = 'application/json';
      return hubFetch(
        operation,
        url,
        { method: init.method, headers, ...(init.body !== undefined ? { body: init.body } : {}) },
        this.timeoutMs,
      );
    };
    let response = await send(false);
    // A token the hub no longer accepts (expired early, revoked, the hub restarted): log in again, once.
    if (response.status === 401 && this.login) {
      await response.body?.cancel();
      response = await send(true);
    }
    return response;
  }

  private async call(
    operation: string,
    credentials: HubCredentials,
    init: { method: 'GET' | 'POST'; query?: Record<string, string>; body?: FormData | string },
  ): Promise<LgspAnswer> {
    const response = await this.request(operation, credentials, init);
    return this.judge(operation, response, await hubAnswer<LgspAnswer>(operation, response));
  }

  private judge(operation: string, response: Response, answer: LgspAnswer): LgspAnswer {
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
    message: { messageType: HubMessageType; to: string[]; edxml: EdxmlToSend },
  ): Promise<{ docId: string }> {
    const form = new FormData();
    form.append('edocFile', sendable(message.edxml).blob, 'edoc.edxml');
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

  async getEdoc(credentials: HubCredentials, docId: string, write: MessageSink): Promise<void> {
    const response = await this.request('getEdoc', credentials, { method: 'GET', query: { docId } });
    const answer = this.judge(
      'getEdoc',
      response,
      await streamedAnswer<LgspAnswer>('getEdoc', response, ['data', 'edxml'], write),
    );
    const edxml = (answer.data as { edxml?: unknown } | undefined)?.edxml;
    if (edxml !== true) throw new HubError('20', `getEdoc ${docId} answered no edxml`);
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
