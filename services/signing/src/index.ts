export { buildApp } from './app';
export { HsmConnection, HsmUnavailableError } from './hsm/hsm-connection';
export { migrationsDir } from './config';
export { createSigningDeps } from './create-signing-deps';
export { signPdf, prepareRevision, finishRevision } from './pades/pades-engine';
export { hsmSigner, softwareSigner } from './pades/signer';
export { validatePdf } from './validation/validate-pdf';
export type { ValidationReport } from './validation/report';
export { createValidationDeps } from './validations/validation-deps';
