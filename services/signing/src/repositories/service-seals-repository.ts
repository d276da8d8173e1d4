import type { Tx } from '@vanthu/platform';

export type ServiceSealRow = {
  id: string;
  agencyCode: string;
  service: string;
  kind: string;
  subject: string;
  level: string;
  inputSha256: string;
  sha256: string;
  certificateSha256: string;
  keyIdHex: string;
  signedAt: string;
};

/** Records an organisation seal a service asked for (who, for which agency, on what, before and after). */
export async function insertServiceSeal(tx: Tx, seal: ServiceSealRow): Promise<void> {
  await tx.query(
    `INSERT INTO service_seals (id, agency_code, service, kind, subject, level, input_sha256, sha256,
       certificate_sha256, key_id_hex, signed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      seal.id,
      seal.agencyCode,
      seal.service,
      seal.kind,
      seal.subject,
      seal.level,
      seal.inputSha256,
      seal.sha256,
      seal.certificateSha256,
      seal.keyIdHex,
      seal.signedAt,
    ],
  );
}
