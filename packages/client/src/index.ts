export { createVanthuClient, formData } from './client';
export type {
  DocumentMetadata,
  FilePart,
  ItemOf,
  PaginatedPath,
  ResponseOf,
  VanthuClient,
  VanthuClientOptions,
} from './client';
export { VanthuProblem, problemCodes, problemOf, retryAfterSeconds } from './problem';
export type { FieldError, ProblemCode } from './problem';
export { retryingFetch, retryDelayMs } from './retry';
export type { RetryOptions } from './retry';
export { signWithToken } from './signing/sign-with-token';
export type { SignWithTokenOptions, SigningSessionResult } from './signing/sign-with-token';
export { softwareSigner } from './signing/software-signer';
export type { SoftwareSignerOptions } from './signing/software-signer';
export { pkcs11Signer } from './signing/pkcs11-signer';
export type { Pkcs11SignerOptions } from './signing/pkcs11-signer';
export type { HashName, SignatureScheme, Signer } from './signing/signer';
export type { components, operations, paths } from './generated/openapi';
export { readServiceSeal, serviceSealBody, serviceSealPath } from './signing/service-seal';
export type { ServiceSeal, ServiceSealBody, ServiceSealRequest, ServiceSealResponse } from './signing/service-seal';
