import type { Tx } from '@vanthu/platform';

export type ProcessSignature = {
  signatureId: string;
  processId: string;
  taskId: string;
  step: string;
  kind: string;
  signerUserId: string | null;
  signedVersion: number;
  contentVersion: number;
  version: number;
  authorityPrefix: string | null;
  signedAt: Date;
};

type Row = {
  signature_id: string;
  process_id: string;
  task_id: string;
  step: string;
  kind: string;
  signer_user_id: string | null;
  signed_version: number;
  content_version: number;
  version: number;
  authority_prefix: string | null;
  signed_at: Date;
};

const columns = `signature_id, process_id, task_id, step, kind, signer_user_id, signed_version, content_version, version,
  authority_prefix, signed_at`;

function toSignature(row: Row): ProcessSignature {
  return {
    signatureId: row.signature_id,
    processId: row.process_id,
    taskId: row.task_id,
    step: row.step,
    kind: row.kind,
    signerUserId: row.signer_user_id,
    signedVersion: row.signed_version,
    contentVersion: row.content_version,
    version: row.version,
    authorityPrefix: row.authority_prefix,
    signedAt: row.signed_at,
  };
}

export async function insertSignature(tx: Tx, signature: ProcessSignature): Promise<ProcessSignature> {
  const { rows } = await tx.query<Row>(
    `INSERT INTO process_signatures (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     RETURNING ${columns}`,
    [
      signature.signatureId,
      signature.processId,
      signature.taskId,
      signature.step,
      signature.kind,
      signature.signerUserId,
      signature.signedVersion,
      signature.contentVersion,
      signature.version,
      signature.authorityPrefix,
      signature.signedAt,
    ],
  );
  return toSignature(rows[0] as Row);
}

export async function signaturesOfProcess(tx: Tx, processId: string): Promise<ProcessSignature[]> {
  const { rows } = await tx.query<Row>(
    `SELECT ${columns} FROM process_signatures WHERE process_id = $1 ORDER BY signed_at, signature_id`,
    [processId],
  );
  return rows.map(toSignature);
}
