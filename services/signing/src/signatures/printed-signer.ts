import { AppError } from '@vanthu/platform';
import { commonNameOf } from '../x509/certificate';
import type { Cert } from '../x509/certificate';

/** Names compared as people read them: NFC, case-insensitive (Vietnamese rules), whitespace collapsed. */
export const sameName = (a: string, b: string): boolean => {
  const key = (s: string): string => s.normalize('NFC').replace(/\s+/g, ' ').trim().toLocaleLowerCase('vi');
  return key(a) === key(b);
};

/** A client asked to print a name that is not the signer's. */
export class SignerNameMismatchError extends AppError {
  readonly requested: string;
  readonly holder: string;
  constructor(requested: string, holder: string, field = 'signerName') {
    super(
      'UNPROCESSABLE',
      `the appearance would name "${requested}", but the signer is "${holder}": the printed name comes from the registered certificate (or, before the certificate is known, the signer's directory entry)`,
      { errors: [{ field, message: `not the certificate holder "${holder}"` }] },
    );
    this.requested = requested;
    this.holder = holder;
  }
}

/**
 * The name an appearance prints (and the signature dictionary's /Name): the registered certificate's
 * holder (its subject CN) when the certificate is known at prepare, else the signer's directory entry
 * (the verified identity); complete then refuses a certificate of anyone else. A client chooses the
 * layout, never the identity: a `requested` name that differs is refused.
 */
export function printedSigner(input: { certificate?: Cert; directoryName?: string; requested?: string }): string {
  const name = (input.certificate ? commonNameOf(input.certificate) : '') || input.directoryName || '';
  if (!name)
    throw new AppError(
      'UNPROCESSABLE',
      'no signer name is known: register and activate your certificate, or give it at prepare (certificate)',
      { errors: [{ field: 'certificate', message: 'required to name the signer' }] },
    );
  if (input.requested !== undefined && !sameName(input.requested, name))
    throw new SignerNameMismatchError(input.requested, name);
  return name.normalize('NFC');
}
