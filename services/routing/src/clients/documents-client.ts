import { AppError } from '@vanthu/platform';

export type DocumentVersionSummary = { version: number; sha256: string; kind: string };
export type DocumentSummary = {
  id: string;
  agencyCode: string;
  direction: string;
  subject: string;
  urgency: 'normal' | 'urgent' | 'very-urgent' | 'immediate';
  status: string;
  currentVersion: number;
  versions: DocumentVersionSummary[];
  metadata: Record<string, unknown>;
  /** The document type code (QĐ, CV, TTr, …) when the author set it. */
  typeCode?: string | null;
  /** The work dossiers (hồ sơ) the document is filed in. */
  dossiers?: { dossierId: string }[];
};

/** The identity assertion a call carries: the caller's own, or routing's service identity for an agency. */
export type Credentials = { identity: string; requestId: string };

/**
 * Routing's synchronous calls to documents: the commands that need an answer now (is this document
 * here and at which version; register it; issue it; file it). Network failures become 503 with
 * Retry-After; documents' own problems pass through with their status.
 */
export class DocumentsClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 30_000,
  ) {}

  private async call(url: string, credentials: Credentials, init: RequestInit = {}, idempotencyKey?: string) {
    const headers: Record<string, string> = {
      'x-vanthu-identity': credentials.identity,
      'x-request-id': credentials.requestId,
      ...(init.body !== undefined && !(init.body instanceof FormData) ? { 'content-type': 'application/json' } : {}),
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    };
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${url}`, {
        ...init,
        headers,
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
      // a non-JSON error body says nothing more than its status
    }
    const message = `documents: ${problem.detail ?? problem.title ?? `HTTP ${response.status}`}`;
    if (response.status === 404) throw new AppError('NOT_FOUND', message);
    if (response.status === 409) throw new AppError('CONFLICT', message);
    if (response.status === 403) throw new AppError('FORBIDDEN', message);
    if (response.status === 400) throw new AppError('VALIDATION_FAILED', message);
    if (response.status >= 500)
      throw new AppError('SERVICE_UNAVAILABLE', 'the documents service failed; try again shortly', {
        retryAfterSeconds: 5,
      });
    throw new AppError('UNPROCESSABLE', message);
  }

  async getDocument(credentials: Credentials, documentId: string): Promise<DocumentSummary> {
    const response = await this.call(`/v1/documents/${encodeURIComponent(documentId)}`, credentials);
    return (await response.json()) as DocumentSummary;
  }

  async getContent(credentials: Credentials, documentId: string, version: number): Promise<Buffer> {
    const response = await this.call(
      `/v1/documents/${encodeURIComponent(documentId)}/content?version=${version}`,
      credentials,
    );
    return Buffer.from(await response.arrayBuffer());
  }

  /** NĐ 30/2020 Điều 22: số đến for an incoming document, or số and ký hiệu for an outgoing one. */
  async registerDocument(
    credentials: Credentials,
    documentId: string,
    body: Record<string, unknown>,
    idempotencyKey: string,
  ): Promise<Record<string, unknown>> {
    const response = await this.call(
      `/v1/documents/${encodeURIComponent(documentId)}/registration`,
      credentials,
      { method: 'POST', body: JSON.stringify(body) },
      idempotencyKey,
    );
    return (await response.json()) as Record<string, unknown>;
  }

  async issueDocument(credentials: Credentials, documentId: string, idempotencyKey: string): Promise<DocumentSummary> {
    const response = await this.call(
      `/v1/documents/${encodeURIComponent(documentId)}/issue`,
      credentials,
      { method: 'POST' },
      idempotencyKey,
    );
    return (await response.json()) as DocumentSummary;
  }

  async fileIntoDossier(
    credentials: Credentials,
    dossierId: string,
    documentId: string,
    idempotencyKey: string,
  ): Promise<void> {
    await this.call(
      `/v1/dossiers/${encodeURIComponent(dossierId)}/documents`,
      credentials,
      { method: 'POST', body: JSON.stringify({ documentId }) },
      idempotencyKey,
    );
  }

  /** Stores a document of another agency on this instance as that agency's incoming document. */
  async createIncomingDocument(
    credentials: Credentials,
    pdf: Buffer,
    metadata: Record<string, unknown>,
    idempotencyKey: string,
  ): Promise<DocumentSummary> {
    return this.createDocument(credentials, pdf, metadata, idempotencyKey, 'van-ban-den.pdf');
  }

  /**
   * The people of an agency as its directory lists them (documents' organisation directory), by user id: their full
   * names for what routing prints. Empty when the agency is not in the directory.
   */
  async peopleOf(credentials: Credentials, agencyCode: string): Promise<Map<string, { fullName: string }>> {
    let response: Response;
    try {
      response = await this.call(`/v1/organisations/${encodeURIComponent(agencyCode)}`, credentials);
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') return new Map();
      throw error;
    }
    const organisation = (await response.json()) as { people?: { userId: string; fullName: string }[] };
    return new Map((organisation.people ?? []).map((p) => [p.userId, { fullName: p.fullName }]));
  }

  /**
   * Stores a new version of a document routing made, on top of `basedOnVersion`: a summary written again (upload) or
   * the summary as signing sealed it (signature).
   */
  async addVersion(
    credentials: Credentials,
    documentId: string,
    input: { basedOnVersion: number; pdf: Buffer; fileName: string; kind: 'upload' | 'signature' },
    idempotencyKey: string,
  ): Promise<DocumentSummary> {
    const form = new FormData();
    form.append('metadata', JSON.stringify({ kind: input.kind, basedOnVersion: input.basedOnVersion }));
    form.append('file', new Blob([input.pdf], { type: 'application/pdf' }), input.fileName);
    const response = await this.call(
      `/v1/documents/${encodeURIComponent(documentId)}/versions`,
      credentials,
      { method: 'POST', body: form },
      idempotencyKey,
    );
    return (await response.json()) as DocumentSummary;
  }

  /** Stores a new PDF document (a consultation's answer sheet or summary) as version 1. */
  async createDocument(
    credentials: Credentials,
    pdf: Buffer,
    metadata: Record<string, unknown>,
    idempotencyKey: string,
    fileName: string,
  ): Promise<DocumentSummary> {
    const form = new FormData();
    form.append('metadata', JSON.stringify(metadata));
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), fileName);
    const response = await this.call('/v1/documents', credentials, { method: 'POST', body: form }, idempotencyKey);
    return (await response.json()) as DocumentSummary;
  }
}
