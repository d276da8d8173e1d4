import { AppError } from '@vanthu/platform';

export type DocumentVersionInfo = {
  version: number;
  sha256: string;
  sizeBytes: number;
  mediaType: string;
  kind: string;
};
export type DocumentInfo = {
  id: string;
  agencyCode: string;
  currentVersion: number;
  versions: DocumentVersionInfo[];
  registration?: { notation?: string; numberText?: string; registeredAt?: string } | null;
  [key: string]: unknown;
};

/** The caller's identity assertion and request id, forwarded unchanged to documents. */
export type CallerHeaders = { identity: string; requestId: string };

/**
 * Synchronous calls to the documents service on behalf of the caller (ARCHITECTURE.md: signing
 * fetches the version it signs). Network failures become 503 with Retry-After; the documents
 * service's own problems pass through with their status.
 */
export class DocumentsClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 30_000,
  ) {}

  private headers(caller: CallerHeaders): Record<string, string> {
    return { 'x-vanthu-identity': caller.identity, 'x-request-id': caller.requestId };
  }

  private async call(url: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw new AppError('SERVICE_UNAVAILABLE', 'the documents service cannot be reached; try again shortly', {
        cause: error,
        retryAfterSeconds: 5,
      });
    }
    if (response.ok) return response;
    let problem: { code?: string; detail?: string; title?: string } = {};
    try {
      problem = (await response.json()) as typeof problem;
    } catch {
      // a non-JSON error body carries nothing more useful than its status
    }
    const message = problem.detail ?? problem.title ?? `documents answered HTTP ${response.status}`;
    if (response.status === 404) throw new AppError('NOT_FOUND', message);
    if (response.status === 409) throw new AppError('CONFLICT', message);
    if (response.status === 403) throw new AppError('FORBIDDEN', message);
    if (response.status === 401) throw new AppError('UNAUTHENTICATED', message);
    if (response.status >= 500)
      throw new AppError('SERVICE_UNAVAILABLE', 'the documents service failed; try again shortly', {
        retryAfterSeconds: 5,
      });
    throw new AppError('UNPROCESSABLE', message);
  }

  async getDocument(caller: CallerHeaders, documentId: string): Promise<DocumentInfo> {
    const response = await this.call(`${this.baseUrl}/v1/documents/${encodeURIComponent(documentId)}`, {
      headers: this.headers(caller),
    });
    return (await response.json()) as DocumentInfo;
  }

  async getContent(caller: CallerHeaders, documentId: string, version: number): Promise<Buffer> {
    const response = await this.call(
      `${this.baseUrl}/v1/documents/${encodeURIComponent(documentId)}/content?version=${version}`,
      { headers: this.headers(caller) },
    );
    return Buffer.from(await response.arrayBuffer());
  }

  /** Stores the signed PDF as the next version; 409 when someone added a version meanwhile. */
  async addSignedVersion(
    caller: CallerHeaders,
    documentId: string,
    basedOnVersion: number,
    pdf: Buffer,
    fileName: string,
    idempotencyKey?: string,
  ): Promise<DocumentInfo> {
    const form = new FormData();
    form.append('metadata', JSON.stringify({ kind: 'signature', basedOnVersion }));
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), fileName);
    const headers: Record<string, string> = this.headers(caller);
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    const response = await this.call(`${this.baseUrl}/v1/documents/${encodeURIComponent(documentId)}/versions`, {
      method: 'POST',
      headers,
      body: form,
    });
    return (await response.json()) as DocumentInfo;
  }

  /** The organisation directory's entry for an agency (its official name), or undefined when it is not listed. */
  async findOrganisation(caller: CallerHeaders, code: string): Promise<{ code: string; name: string } | undefined> {
    try {
      const response = await this.call(`${this.baseUrl}/v1/organisations/${encodeURIComponent(code)}`, {
        headers: this.headers(caller),
      });
      const organisation = (await response.json()) as { code: string; name: string };
      return { code: organisation.code, name: organisation.name };
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }
}
