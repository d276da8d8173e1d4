import fs from 'node:fs';
import { AppError } from '@vanthu/platform';

export type DocumentInfo = {
  id: string;
  agencyCode: string;
  status: string;
  subject: string;
  typeCode: string | null;
  urgency: string;
  description: string | null;
  metadata: Record<string, unknown>;
  currentVersion: number;
  versions: { version: number; sha256: string; sizeBytes: number; mediaType: string; fileName: string | null }[];
  registration: {
    notation: string;
    numberText: string;
    number: number;
    documentIdentifier: string;
    registeredAt: string;
  } | null;
};

/** A PDF to upload: bytes, or a file streamed from disk as the request body goes (never read whole). */
export type PdfSource = Buffer | { file: string };

const pdfPart = async (pdf: PdfSource): Promise<Blob> =>
  Buffer.isBuffer(pdf)
    ? new Blob([pdf], { type: 'application/pdf' })
    : fs.openAsBlob(pdf.file, { type: 'application/pdf' });

/** The caller's (or this service's) identity assertion and a request id, forwarded to documents. */
export type CallerHeaders = { identity: string; requestId: string };

/**
 * Calls to the documents service: fetch an issued document and its PDF to send it, and create the
 * incoming document for a message received. Network failures become 503 with Retry-After.
 */
export class DocumentsClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 30_000,
  ) {}

  private async call(url: string, init: RequestInit, caller: CallerHeaders): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(url, {
        ...init,
        headers: {
          ...(init.headers as Record<string, string>),
          'x-vanthu-identity': caller.identity,
          'x-request-id': caller.requestId,
        },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new AppError('SERVICE_UNAVAILABLE', 'the documents service cannot be reached; try again shortly', {
        cause: error,
        retryAfterSeconds: 5,
      });
    }
    if (response.ok) return response;
    let problem: { detail?: string; title?: string } = {};
    try {
      problem = (await response.json()) as typeof problem;
    } catch {
      // a non-JSON error body carries nothing more useful than its status
    }
    const message = problem.detail ?? problem.title ?? `documents answered HTTP ${response.status}`;
    if (response.status === 403) throw new AppError('FORBIDDEN', message);
    if (response.status === 404) throw new AppError('NOT_FOUND', message);
    if (response.status === 409) throw new AppError('CONFLICT', message);
    if (response.status >= 500) throw new AppError('SERVICE_UNAVAILABLE', message, { retryAfterSeconds: 5 });
    throw new AppError('UNPROCESSABLE', message);
  }

  async getDocument(caller: CallerHeaders, documentId: string): Promise<DocumentInfo> {
    const response = await this.call(`${this.baseUrl}/v1/documents/${encodeURIComponent(documentId)}`, {}, caller);
    return (await response.json()) as DocumentInfo;
  }

  async getContent(caller: CallerHeaders, documentId: string, version: number): Promise<Buffer> {
    const response = await this.call(
      `${this.baseUrl}/v1/documents/${encodeURIComponent(documentId)}/content?version=${version}`,
      {},
      caller,
    );
    return Buffer.from(await response.arrayBuffer());
  }

  /** Creates the incoming document (văn bản đến); the idempotency key makes a repeat return the first one. */
  async createIncomingDocument(
    caller: CallerHeaders,
    input: { metadata: Record<string, unknown>; pdf: PdfSource; fileName: string; idempotencyKey: string },
  ): Promise<DocumentInfo> {
    const form = new FormData();
    form.append('metadata', JSON.stringify(input.metadata));
    form.append('file', await pdfPart(input.pdf), input.fileName);
    const response = await this.call(
      `${this.baseUrl}/v1/documents`,
      { method: 'POST', headers: { 'idempotency-key': input.idempotencyKey }, body: form },
      caller,
    );
    return (await response.json()) as DocumentInfo;
  }

  /** Marks an incoming document its issuer recalled as revoked (kept, hidden from processing). */
  async revokeIncomingDocument(
    caller: CallerHeaders,
    input: { documentId: string; reason: string; idempotencyKey: string },
  ): Promise<DocumentInfo> {
    const response = await this.call(
      `${this.baseUrl}/v1/documents/${encodeURIComponent(input.documentId)}/recall`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': input.idempotencyKey },
        body: JSON.stringify({ reason: input.reason, origin: 'issuer' }),
      },
      caller,
    );
    return (await response.json()) as DocumentInfo;
  }

  /** Adds the next version of a document (an update its issuer sent); the idempotency key makes a repeat return it. */
  async addDocumentVersion(
    caller: CallerHeaders,
    input: { documentId: string; basedOnVersion: number; pdf: PdfSource; fileName: string; idempotencyKey: string },
  ): Promise<DocumentInfo> {
    const form = new FormData();
    form.append('metadata', JSON.stringify({ kind: 'upload', basedOnVersion: input.basedOnVersion }));
    form.append('file', await pdfPart(input.pdf), input.fileName);
    const response = await this.call(
      `${this.baseUrl}/v1/documents/${encodeURIComponent(input.documentId)}/versions`,
      { method: 'POST', headers: { 'idempotency-key': input.idempotencyKey }, body: form },
      caller,
    );
    return (await response.json()) as DocumentInfo;
  }
}
