export {
  algorithms,
  computeEnvelopedSignature,
  spliceSignature,
  spliceSignatureStream,
  verifyEnvelopedSignature,
  verifyEnvelopedSignatureFile,
  xmldsigNamespace,
} from './enveloped-signature';
export type { Canonicalization, ReferenceDigest, SignatureCheck, XmlKeySigner } from './enveloped-signature';
export { checkCertificateChain, pemToDers } from './certificate-chain';
export type { ChainCheck } from './certificate-chain';
export {
  EdxmlRefused,
  directoryStore,
  digestOnlyStore,
  fileChunks,
  fileChunksAsync,
  memoryStore,
  readEdxmlStream,
  readEdxmlStreamAsync,
  slices,
} from './stream-reader';
export type { AttachmentStore, ReadOptions, StreamedAttachment, StreamedEdxml } from './stream-reader';
