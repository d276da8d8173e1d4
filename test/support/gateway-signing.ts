import fs from 'node:fs';
import { sign as nodeSign } from 'node:crypto';
import { certificateDer, gatewayClient, json } from './gateway-client';
import type { ClientResponse } from './gateway-client';
import { multipartBody } from './multipart';
import type { TestStack } from './test-stack';

// Signing through the gateway as the end-to-end tests do it: a person of the test PKI with their token, their
// signature images, and two-step signing with a key the server never receives.

type Client = ReturnType<typeof gatewayClient>;

/** A person of the test PKI calling the gateway: their client, certificate and private key (their "token"). */
export type GatewayPerson = { client: Client; certPath: string; key: string };

/** `name` is what the identity provider calls the person; the certificate may spell it otherwise. */
export async function gatewayPerson(
  stack: TestStack,
  person: { user: string; agency: string; roles: string[]; name: string; pki: string },
): Promise<GatewayPerson> {
  const { user, agency, roles, name, pki } = person;
  const client = gatewayClient(stack.gatewayUrl, await stack.token({ user, agency, roles, name } as never));
  const p = stack.infra.pki.persons[pki];
  if (!p) throw new Error(`no person ${pki} in the test PKI`);
  return { client, certPath: p.certPath, key: fs.readFileSync(p.keyPath, 'utf8') };
}

/** `POST /v1/signature-images`: a PNG and its metadata (`kind`, `widthMm`, …). */
export async function uploadSignatureImage(client: Client, png: Buffer, metadata: unknown): Promise<ClientResponse> {
  const { body, contentType } = multipartBody([
    { name: 'metadata', value: JSON.stringify(metadata) },
    { name: 'file', value: png, filename: 'image.png', contentType: 'image/png' },
  ]);
  return client.call('POST', '/v1/signature-images', { body, contentType });
}

/**
 * Two-step signing of one document at `level`: prepare the session, sign its data with the person's key on this
 * machine, complete it, and expect the document signed. With `repeatComplete`, completes once more and expects the
 * same answer (complete is idempotent and adds no version). Returns the session.
 */
export async function signTwoStep(
  p: GatewayPerson,
  documentId: string,
  request: Record<string, unknown>,
  options: { level: 'B-B' | 'B-T' | 'B-LT'; repeatComplete?: boolean },
): Promise<{ id: string }> {
  const prepared = await p.client.call(
    'POST',
    '/v1/signing-sessions',
    json({ ...request, level: options.level, documents: [{ documentId }] }),
  );
  expect(prepared.status).toBe(201);
  const session = prepared.body as { id: string; items: { dataToSign: string }[] };
  const dataToSign = Buffer.from(session.items[0]?.dataToSign ?? '', 'base64');
  const signatureValue = nodeSign('sha256', dataToSign, p.key).toString('base64');
  const complete = () =>
    p.client.call(
      'POST',
      `/v1/signing-sessions/${session.id}/complete`,
      json({ certificateChain: [certificateDer(p.certPath)], items: [{ documentId, signatureValue }] }),
    );
  const done = await complete();
  expect(done.status).toBe(200);
  expect((done.body as { results: { outcome: string }[] }).results[0]?.outcome).toBe('signed');
  if (options.repeatComplete) expect((await complete()).body).toEqual(done.body);
  return session;
}
