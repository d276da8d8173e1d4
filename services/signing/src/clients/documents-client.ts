import { AppError, ServiceClient } from '@vanthu/platform';

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
 * fetches the version it signs), through the platform's ServiceClient: network failures and 5xx become
 * 503 with Retry-After; the documents service's own problems pass through with their status.
 */
export class DocumentsClient {
  private readonly documents: ServiceClient;

  constructor(baseUrl: string, timeoutMs = 30_000) {
    this.documents = new ServiceClient('documents', baseUrl, timeoutMs);
  }

  async getDocument(caller: CallerHeaders, documentId: string): Promise<DocumentInfo> {
    return this.documents.getJson(`/v1/documents/${encodeURIComponent(documentId)}`, caller);
  }

  async getContent(caller: CallerHeaders, documentId: string, version: number): Promise<Buffer> {
    const response = await this.documents.request(
      `/v1/documents/${encodeURIComponent(documentId)}/content?version=${version}`,
      { credentials: caller },
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
    const response = await this.documents.request(`/v1/documents/${encodeURIComponent(documentId)}/versions`, {
      credentials: caller,
      method: 'POST',
      form,
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });
    return (await response.json()) as DocumentInfo;
  }

  /** The organisation directory's entry for an agency (its official name), or undefined when it is not listed. */
  async findOrganisation(caller: CallerHeaders, code: string): Promise<{ code: string; name: string } | undefined> {
    try {
      const organisation = await this.documents.getJson<{ code: string; name: string }>(
        `/v1/organisations/${encodeURIComponent(code)}`,
        caller,
      );
      return { code: organisation.code, name: organisation.name };
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }
}
