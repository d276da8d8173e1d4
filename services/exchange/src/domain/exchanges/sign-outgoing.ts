import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '@vanthu/platform';
import { spliceSignatureStream, verifyEnvelopedSignatureFile } from '@vanthu/xmldsig';
import type { CallerHeaders } from '../../clients/documents-client';
import type { SigningClient } from '../../clients/signing-client';
import type { BlobStore, SpooledBlob } from '@vanthu/platform';
import { edxmlNamespace } from '../edxml/model';
import type { SignatureInfo } from '../edxml/parse-edxml';
import type { ChunkWriter } from '../edxml/write-edxml';

/** Writes the unsigned message, chunk by chunk (writeEdxml, or one buffer for a small message). */
export type MessageProducer = (write: ChunkWriter) => Promise<void>;

/** One built buffer as a producer: a status message or a recall, a few KB. */
export const bytesOf =
  (bytes: Buffer): MessageProducer =>
  (write) =>
    write(bytes);

/**
 * An edXML message as it goes to the hub (a document, a recall, an update, a replacement or a status
 * message), into the message store: signed by the signing service with the agency's seal (enveloped XML-DSig
 * after TraceHeaderList, after MessageHeader in a status message; docs/domain/edxml-facts.md, section
 * "1. What all samples agree on") when one is configured, unsigned otherwise. The message is written to a
 * scratch file, streamed from there to signing, and the signature is spliced in as the file is copied into the
 * store, so that no step holds it whole. The signed file is verified here before it is sent, so a message that
 * would not verify on the recipient's side never leaves.
 */
export async function signOutgoing(
  produce: MessageProducer,
  /** The document the message carries or recalls; none for a status message. */
  input: { documentId?: string; caller?: CallerHeaders },
  ctx: { signing?: SigningClient; messages: BlobStore },
): Promise<{ stored: SpooledBlob; signature?: SignatureInfo }> {
  if (!ctx.signing) return { stored: await ctx.messages.spool(produce) };
  if (!input.caller) throw new AppError('INTERNAL', 'a message is signed on behalf of an agency, and none was given');
  const dir = await ctx.messages.scratch();
  try {
    const unsigned = path.join(dir, 'unsigned.edxml');
    const handle = await fsp.open(unsigned, 'wx');
    try {
      await produce(async (chunk) => void (await handle.write(chunk)));
    } finally {
      await handle.close();
    }
    const answer = await ctx.signing.signEdxml(input.caller, {
      ...(input.documentId ? { documentId: input.documentId } : {}),
      file: unsigned,
    });
    const after = answer.kind === 'status' ? 'MessageHeader' : 'TraceHeaderList';
    const stored = await ctx.messages.spool((write) =>
      spliceSignatureStream(
        fs.createReadStream(unsigned, { highWaterMark: 64 * 1024 }),
        answer.signatureXml,
        after,
        write,
      ),
    );
    await fsp.rm(unsigned, { force: true });
    const check = verifyEnvelopedSignatureFile(stored.file, dir, { carrierNamespace: edxmlNamespace });
    if (!check.present || !check.valid) {
      throw new AppError('INTERNAL', `the signed edXML does not verify: ${check.present ? check.reason : 'unsigned'}`);
    }
    return {
      stored,
      signature: {
        present: true,
        valid: true,
        signatureAlgorithm: check.signatureAlgorithm,
        canonicalization: check.canonicalization,
        ...(check.certificates[0]
          ? { certificateSha256: createHash('sha256').update(check.certificates[0]).digest('hex') }
          : {}),
      },
    };
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}
