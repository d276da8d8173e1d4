export {
  algorithms,
  computeEnvelopedSignature,
  spliceSignature,
  verifyEnvelopedSignature,
  xmldsigNamespace,
} from './enveloped-signature';
export type { Canonicalization, ReferenceDigest, SignatureCheck, XmlKeySigner } from './enveloped-signature';
export { checkCertificateChain, pemToDers } from './certificate-chain';
export type { ChainCheck } from './certificate-chain';
