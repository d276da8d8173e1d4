// What vanthu needs from an interoperability hub, whichever hub it is (the national VDXP through
// the VNPT VXP protocol, a provincial LGSP): send, list what arrived, fetch it, acknowledge it,
// and the agency directory. Each call is made with one agency's own hub account.

export type HubCredentials = { agencyCode: string; systemId: string; secret: string };

export type HubMessageType = 'edoc' | 'status';

export type ReceivedItem = { docId: string; from: string; messageType: HubMessageType; createdTime?: string };

export type HubAgency = { code: string; name: string; parentCode?: string };

export type HubAdapter = {
  readonly name: string;
  sendEdoc(
    credentials: HubCredentials,
    message: { messageType: HubMessageType; to: string[]; edxml: Buffer },
  ): Promise<{ docId: string }>;
  listReceived(credentials: HubCredentials, messageType: HubMessageType): Promise<ReceivedItem[]>;
  getEdoc(credentials: HubCredentials, docId: string): Promise<Buffer>;
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
