import fs from 'node:fs';
import { AppError, ServiceClient } from '@vanthu/platform';
import type { ServiceRequest } from '@vanthu/platform';

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
 * incoming document for a message received, through the platform's ServiceClient (unreachable or 5xx is 503 with
 * Retry-After; documents' refusals pass through with their code).
 */
export class DocumentsClient {
  private readonly documents: ServiceClient;

  constructor(baseUrl: string, timeoutMs = 30_000) {
    this.documents = new ServiceClient('documents', baseUrl, timeoutMs);
  }

  private call(path: string, request: Omit<ServiceRequest, 'credentials'>, caller: CallerHeaders): Promise<Response> {
    return this.documents.request(path, { ...request, credentials: caller });
  }

  async getDocument(caller: CallerHeaders, documentId: string): Promise<DocumentInfo> {
    const response = await this.call(`/v1/documents/${encodeURIComponent(documentId)}`, {}, caller);
    return (await response.json()) as DocumentInfo;
  }

  /** A version's PDF as a stream of its bytes, read as it arrives (a message is written from it, never held). */
  async streamContent(caller: CallerHeaders, documentId: string, version: number): Promise<AsyncIterable<Uint8Array>> {
    const response = await this.call(
      `/v1/documents/${encodeURIComponent(documentId)}/content?version=${version}`,
      {},
      caller,
    );
    if (!response.body) throw new AppError('SERVICE_UNAVAILABLE', `documents answered no content for ${documentId}`);
    // Node's fetch body is a web ReadableStream, which is async-iterable.
    return response.body as unknown as AsyncIterable<Uint8Array>;
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
      '/v1/documents',
      { method: 'POST', idempotencyKey: input.idempotencyKey, form },
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
      `/v1/documents/${encodeURIComponent(input.documentId)}/recall`,
      { method: 'POST', idempotencyKey: input.idempotencyKey, json: { reason: input.reason, origin: 'issuer' } },
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
      `/v1/documents/${encodeURIComponent(input.documentId)}/versions`,
      { method: 'POST', idempotencyKey: input.idempotencyKey, form },
      caller,
    );
    return (await response.json()) as DocumentInfo;
  }
}
