import { AppError, ServiceClient } from '@vanthu/platform';

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

/** A call's method and body: JSON, or a multipart form. */
type CallInit = { method?: 'POST'; json?: unknown; form?: FormData };

/**
 * Routing's synchronous calls to documents: the commands that need an answer now (is this document
 * here and at which version; register it; issue it; file it), through the platform's ServiceClient:
 * network failures and 5xx become 503 with Retry-After; documents' own problems pass through with their code.
 */
export class DocumentsClient {
  private readonly documents: ServiceClient;

  constructor(baseUrl: string, timeoutMs = 30_000) {
    this.documents = new ServiceClient('documents', baseUrl, timeoutMs);
  }

  private async call(url: string, credentials: Credentials, init: CallInit = {}, idempotencyKey?: string) {
    return this.documents.request(url, {
      credentials,
      ...(init.method ? { method: init.method } : {}),
      ...(init.json !== undefined ? { json: init.json } : {}),
      ...(init.form ? { form: init.form } : {}),
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });
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
      { method: 'POST', json: body },
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
      { method: 'POST', json: { documentId } },
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
      { method: 'POST', form },
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
    const response = await this.call('/v1/documents', credentials, { method: 'POST', form }, idempotencyKey);
    return (await response.json()) as DocumentSummary;
  }
}
