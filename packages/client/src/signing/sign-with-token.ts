import type { components, paths } from '../generated/openapi';
import type { VanthuClient } from '../client';
import { hashOf } from './signer';
import type { Signer } from './signer';

type PrepareBody = paths['/v1/signing-sessions']['post']['requestBody']['content']['application/json'];
type SessionDocument = PrepareBody['documents'][number];
export type SigningSessionResult = components['schemas']['SigningSessionResult'];

export type SignWithTokenOptions = Omit<PrepareBody, 'documents' | 'certificate' | 'scheme'> & {
  /** Document ids, or `{ documentId, basedOnVersion?, rect? }` to sign a known version or place the mark. */
  documents: (string | SessionDocument)[];
  signer: Signer;
};

// services/signing/src/signatures/prepare-signing-session.ts: one session covers at most 200 documents.
const MAX_BATCH = 200;

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/**
 * Two-step signing with the user's key (ARCHITECTURE.md "Two-step signing with a personal USB token"): prepare a
 * session with the signer's certificate, let the signer sign each document's DER signed attributes on this machine,
 * and complete the session with the signature values and the certificate chain. More than 200 documents go in
 * several sessions. The result lists each document's outcome (`signed` with its new version, or `failed` with why).
 */
export async function signWithToken(
  client: VanthuClient,
  options: SignWithTokenOptions,
): Promise<SigningSessionResult[]> {
  const { documents, signer, ...session } = options;
  if (documents.length === 0) throw new Error('signWithToken needs at least one document');
  const chain = await signer.certificateChain();
  const [certificate] = chain;
  if (certificate === undefined) throw new Error('the signer has no certificate');
  const items = documents.map((d) => (typeof d === 'string' ? { documentId: d } : d));
  const results: SigningSessionResult[] = [];
  for (let start = 0; start < items.length; start += MAX_BATCH) {
    const prepared = await client.POST('/v1/signing-sessions', {
      body: {
        ...session,
        scheme: signer.scheme,
        certificate: base64(certificate),
        documents: items.slice(start, start + MAX_BATCH),
      },
    });
    const hash = hashOf(prepared.digestAlgorithm);
    const signed = [];
    for (const item of prepared.items) {
      // Known certificate → the server always returns the signed attributes to sign.
      if (item.dataToSign === null) throw new Error(`the session gave no data to sign for ${item.documentId}`);
      const value = await signer.sign(Buffer.from(item.dataToSign, 'base64'), hash);
      signed.push({ documentId: item.documentId, signatureValue: base64(value) });
    }
    results.push(
      await client.POST('/v1/signing-sessions/{id}/complete', {
        params: { path: { id: prepared.id } },
        body: { certificateChain: chain.map(base64), items: signed },
      }),
    );
  }
  return results;
}
