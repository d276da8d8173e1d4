import type { CertificateRow } from '../repositories/certificates-repository';

/** A registered certificate as the API shows it: its row with the DER as PEM. */
export type CertificateView = Omit<CertificateRow, 'der'> & { pem: string };

export const toView = (row: CertificateRow): CertificateView => {
  const { der, ...rest } = row;
  return {
    ...rest,
    pem: `-----BEGIN CERTIFICATE-----\n${der
      .toString('base64')
      .replace(/(.{64})/g, '$1\n')
      .trim()}\n-----END CERTIFICATE-----\n`,
  };
};
