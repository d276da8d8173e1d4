import { createHmac } from 'node:crypto';
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

// The VNPT VXP protocol as the public SDK (SDKVXP 2.0.1) sends it (docs/domain/edxml-facts.md,
// "Hub APIs"): every parameter, the systemid and a timestamp travel as `XroadVnpt-<name>` headers;
// `XroadVnpt-sign-header-key` lists their names, `XroadVnpt-sign-header` is their JSON and
// `XroadVnpt-hash-header` its hex HMAC-SHA256 under the agency's secret, which never travels.
// Answers are `{status: OK|FAIL, ErrorCode: "0" on success, ErrorDesc, data | DocId}`.

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `ddMMyyyy'T'HHmmss+SSSS` in Vietnamese time, as the SDK formats it (SSSS: milliseconds, four digits). */
export function vxpTimestamp(at: Date): string {
  const v = new Date(at.getTime() + 7 * 3600_000);
  return (
    `${pad(v.getUTCDate())}${pad(v.getUTCMonth() + 1)}${v.getUTCFullYear()}T` +
    `${pad(v.getUTCHours())}${pad(v.getUTCMinutes())}${pad(v.getUTCSeconds())}+${pad(v.getUTCMilliseconds(), 4)}`
  );
}

export function vxpHeaders(
  credentials: HubCredentials,
  parameters: Record<string, string>,
  at: Date,
): Record<string, string> {
  const signed: Record<string, string> = { ...parameters, systemid: credentials.systemId, timestamp: vxpTimestamp(at) };
  const json = JSON.stringify(signed);
  const headers: Record<string, string> = {
    'user-agent': 'JAVASDKAgent/1.0.0 XRoad/VPCP',
    'XroadVnpt-version': '3.0.201608',
    'XroadVnpt-sign-header-key': Object.keys(signed).join(';'),
    // Header values are latin-1 on the wire: the JSON is sent percent-encoded where it is not ASCII.
    'XroadVnpt-sign-header': encodeURI(json),
    'XroadVnpt-hash-header': createHmac('sha256', credentials.secret).update(json).digest('hex'),
  };
  for (const [name, value] of Object.entries(signed)) headers[`XroadVnpt-${name}`] = encodeURI(value);
  return headers;
}

type VxpAnswer = { status?: string; ErrorCode?: string; ErrorDesc?: string; data?: unknown; DocId?: string };

export class VxpAdapter implements HubAdapter {
  readonly name: string;

  constructor(
    private readonly baseUrl: string,
    options: { name?: string; timeoutMs?: number; clock?: () => Date } = {},
  ) {
    this.name = options.name ?? 'vxp';
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.clock = options.clock ?? (() => new Date());
  }

  private readonly timeoutMs: number;
  private readonly clock: () => Date;

  private request(
    operation: string,
    credentials: HubCredentials,
    parameters: Record<string, string>,
    body?: FormData,
  ): Promise<Response> {
    return hubFetch(
      operation,
      `${this.baseUrl}/${operation}`,
      { method: 'POST', headers: vxpHeaders(credentials, parameters, this.clock()), ...(body ? { body } : {}) },
      this.timeoutMs,
    );
  }

  private async call(
    operation: string,
    credentials: HubCredentials,
    parameters: Record<string, string>,
    body?: FormData,
  ): Promise<VxpAnswer> {
    const response = await this.request(operation, credentials, parameters, body);
    return this.judge(operation, response, await hubAnswer<VxpAnswer>(operation, response));
  }

  private judge(operation: string, response: Response, answer: VxpAnswer): VxpAnswer {
    if (answer.ErrorCode !== '0' || answer.status !== 'OK') {
      throw new HubError(
        answer.ErrorCode ?? String(response.status),
        `the hub refused ${operation}: ${answer.ErrorDesc ?? 'no reason given'}`,
      );
    }
    return answer;
  }

  async sendEdoc(
    credentials: HubCredentials,
    message: { messageType: HubMessageType; to: string[]; edxml: EdxmlToSend },
  ): Promise<{ docId: string }> {
    const edxml = sendable(message.edxml);
    const form = new FormData();
    form.append('file_doc', edxml.blob, 'edoc.edxml');
    const answer = await this.call(
      'sendEdoc',
      credentials,
      {
        from: credentials.agencyCode,
        servicetype: 'eDoc',
        messagetype: message.messageType,
        to: JSON.stringify(message.to),
        'hash-file': edxml.sha256,
      },
      form,
    );
    if (!answer.DocId) throw new HubError('20', 'the hub accepted sendEdoc without a DocId');
    return { docId: answer.DocId };
  }

  async listReceived(credentials: HubCredentials, messageType: HubMessageType): Promise<ReceivedItem[]> {
    const answer = await this.call('getReceivedEdocList', credentials, {
      servicetype: 'eDoc',
      messagetype: messageType,
    });
    const items = Array.isArray(answer.data) ? (answer.data as Record<string, unknown>[]) : [];
    return items.map((item) => ({
      docId: String(item.docId),
      from: String(item.from ?? ''),
      messageType: item.messageType === 'status' ? 'status' : 'edoc',
      ...(typeof item.created_time === 'string' ? { createdTime: item.created_time } : {}),
    }));
  }

  async getEdoc(credentials: HubCredentials, docId: string, write: MessageSink): Promise<void> {
    const response = await this.request('getEdoc', credentials, { docId });
    const answer = this.judge('getEdoc', response, await streamedAnswer('getEdoc', response, ['data'], write));
    if (answer.data !== true) throw new HubError('20', `getEdoc ${docId} answered no data`);
  }

  async acknowledge(credentials: HubCredentials, docId: string, status: 'done' | 'fail' | 'processing'): Promise<void> {
    await this.call('updateStatus', credentials, { docId, status });
  }

  async listAgencies(credentials: HubCredentials): Promise<HubAgency[]> {
    const answer = await this.call('getAgenciesList', credentials, {});
    const items = Array.isArray(answer.data) ? (answer.data as Record<string, unknown>[]) : [];
    return items.map((item) => ({
      code: String(item.code),
      name: String(item.name ?? ''),
      ...(typeof item.pcode === 'string' ? { parentCode: item.pcode } : {}),
    }));
  }
}
