import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, problemResponses, readUpload } from '@vanthu/platform';
import type { ServiceApp, UploadSink } from '@vanthu/platform';
import { signingContext } from '../context';
import { signEdxml } from '../signatures/sign-edxml';
import type { SignEdxmlInput } from '../signatures/sign-edxml';
import type { SigningDeps } from '../signatures/signing-deps';
import { checkEdxmlSigner } from '../validations/check-edxml-signer';
import {
  EdxmlSignature,
  EdxmlSignatureMetadata,
  EdxmlSignatureRequest,
  EdxmlSignerCheck,
  EdxmlSignerCheckRequest,
} from '../schemas/signing';

/**
 * The largest edXML message signing takes. The message streams to a file and is read from there in chunks, so
 * this bounds disk, not memory: a 1.5 GiB attachment is about 2 GiB in base64, above what any hub accepts.
 */
export const maxEdxmlBytes = 2 * 1024 * 1024 * 1024;

type SpooledEdxml = SignEdxmlInput['edxml'];

/** The upload's file part written to `dir`, hashed as it streams; cut at `limitBytes`, it is refused with 413. */
export function spoolEdxmlUpload(dir: string, limitBytes = maxEdxmlBytes): UploadSink<SpooledEdxml> {
  return {
    take: async (stream) => {
      const file = path.join(dir, `${randomUUID()}.edxml`);
      const hash = createHash('sha256');
      let sizeBytes = 0;
      const tap = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          hash.update(chunk);
          sizeBytes += chunk.length;
          callback(null, chunk);
        },
      });
      try {
        await pipeline(stream, tap, fs.createWriteStream(file, { flags: 'wx' }));
      } catch (error) {
        if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
          throw new AppError('PAYLOAD_TOO_LARGE', `the edXML exceeds ${limitBytes} bytes`);
        }
        throw error;
      }
      if (stream.truncated) throw new AppError('PAYLOAD_TOO_LARGE', `the edXML exceeds ${limitBytes} bytes`);
      return { file, sha256: hash.digest('hex'), sizeBytes };
    },
  };
}

/** The edXML seal (what the exchange service asks before it sends) and the revocation check of a received signer. */
export async function edxmlSignatureRoutes(app: ServiceApp, deps: SigningDeps): Promise<void> {
  app.post(
    '/v1/edxml-signatures',
    {
      schema: {
        operationId: 'signEdxml',
        tags: ['signing'],
        summary:
          'The organisation seal’s enveloped XML-DSig over an edXML message of the caller’s agency: a document it issued, its recall, or a status message (the exchange service signs what it sends to the hub); the message is streamed as the multipart part file, never held whole',
        consumes: ['multipart/form-data'],
        body: EdxmlSignatureRequest,
        response: { 200: EdxmlSignature, ...problemResponses(400, 401, 403, 404, 413, 415, 422, 503) },
      },
    },
    async (request) => {
      const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'edxml-upload-'));
      const limitBytes = deps.maxEdxmlBytes ?? maxEdxmlBytes;
      try {
        const { metadata, file } = await readUpload(
          request,
          EdxmlSignatureMetadata,
          spoolEdxmlUpload(dir, limitBytes),
          {
            maxFileBytes: limitBytes,
          },
        );
        return await signEdxml(
          {
            ...(metadata.documentId ? { documentId: metadata.documentId } : {}),
            edxml: file,
            ...(metadata.canonicalization ? { canonicalization: metadata.canonicalization } : {}),
          },
          signingContext(request, deps, 'signEdxml'),
        );
      } finally {
        await fsp.rm(dir, { recursive: true, force: true });
      }
    },
  );

  app.post(
    '/v1/edxml-signatures/signer-checks',
    {
      schema: {
        operationId: 'checkEdxmlSigner',
        tags: ['signing'],
        summary:
          'The revocation state (OCSP, else CRL) of the signer of a received edXML message and its chain (the exchange service checks every signed message it receives)',
        body: EdxmlSignerCheckRequest,
        response: { 200: EdxmlSignerCheck, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) =>
      checkEdxmlSigner(
        { certificates: request.body.certificates.map((c) => Buffer.from(c, 'base64')) },
        signingContext(request, deps, 'checkEdxmlSigner'),
      ),
  );
}
