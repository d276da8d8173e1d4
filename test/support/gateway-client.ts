import fs from 'node:fs';
import { documentUpload } from './multipart';

/** A JSON request body for `gatewayClient().call`. */
export const json = (value: unknown): { body: Buffer; contentType: string } => ({
  body: Buffer.from(JSON.stringify(value)),
  contentType: 'application/json',
});

/** A PEM certificate file as the base64 DER the certificates API takes. */
export const certificateDer = (pemFile: string): string =>
  fs.readFileSync(pemFile, 'utf8').replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '');

export type ClientResponse = { status: number; headers: Headers; body: unknown; raw: Buffer };

/** A tiny client of the public API, as an integrator would write one. */
export function gatewayClient(baseUrl: string, token?: string) {
  const call = async (
    method: string,
    path: string,
    init: { body?: Buffer; contentType?: string; headers?: Record<string, string> } = {},
  ): Promise<ClientResponse> => {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (token) headers.authorization = `Bearer ${token}`;
    if (init.contentType) headers['content-type'] = init.contentType;
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body: init.body });
    const raw = Buffer.from(await response.arrayBuffer());
    const type = response.headers.get('content-type') ?? '';
    const body = /json/.test(type) && raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as unknown) : undefined;
    return { status: response.status, headers: response.headers, body, raw };
  };
  return {
    call,
    uploadDocument: (pdf: Buffer, metadata: unknown, headers: Record<string, string> = {}) => {
      const { body, contentType } = documentUpload(pdf, metadata);
      return call('POST', '/v1/documents', { body, contentType, headers });
    },
    get: (path: string) => call('GET', path),
  };
}
