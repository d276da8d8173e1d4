import { randomUUID } from 'node:crypto';
import { AppError, hasRole, withTransaction } from '@vanthu/platform';
import { checkSignatureImage } from '../appearance/signature-image';
import type { ImageKind } from '../appearance/signature-image';
import { insertImage } from '../repositories/images-repository';
import type { Caller, SigningDeps } from './signing-deps';

export type ImageView = {
  id: string;
  kind: ImageKind;
  owner: string;
  widthPx: number;
  heightPx: number;
  widthMm: number | null;
  dominant: string;
};

/** Stores a checked PNG: a person's signature or initial image, or the agency's seal (clerk or admin). */
export async function uploadSignatureImage(
  png: Buffer,
  metadata: { kind: ImageKind; widthMm?: number },
  caller: Caller,
  deps: SigningDeps,
): Promise<ImageView> {
  const { identity } = caller;
  if (metadata.kind === 'seal' && !hasRole(identity, 'clerk', 'admin'))
    throw new AppError('FORBIDDEN', 'only the clerk (văn thư) or an administrator uploads the seal image');
  const checked = checkSignatureImage(png, metadata.kind);
  const owner = metadata.kind === 'seal' ? identity.agencyCode : identity.userId;
  const id = randomUUID();
  await withTransaction(deps.pool, (tx) =>
    insertImage(tx, {
      id,
      agencyCode: identity.agencyCode,
      owner,
      kind: metadata.kind,
      png,
      widthPx: checked.width,
      heightPx: checked.height,
      widthMm: metadata.widthMm ?? null,
      createdBy: identity.userId,
    }),
  );
  return {
    id,
    kind: metadata.kind,
    owner,
    widthPx: checked.width,
    heightPx: checked.height,
    widthMm: metadata.widthMm ?? null,
    dominant: checked.dominant,
  };
}
