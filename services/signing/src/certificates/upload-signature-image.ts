import { randomUUID } from 'node:crypto';
import { AppError, hasRole } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { checkSignatureImage } from '../appearance/signature-image';
import type { ImageKind } from '../appearance/signature-image';
import type { SigningContext } from '../context';
import { insertImage } from '../repositories/images-repository';

export type UploadSignatureImageInput = { png: Buffer; kind: ImageKind; widthMm?: number };

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
  input: UploadSignatureImageInput,
  ctx: SigningContext,
): Promise<Mutation<ImageView>> {
  const { identity } = ctx;
  const { png, kind } = input;
  if (kind === 'seal' && !hasRole(identity, 'clerk', 'admin'))
    throw new AppError('FORBIDDEN', 'only the clerk (văn thư) or an administrator uploads the seal image');
  const checked = checkSignatureImage(png, kind);
  const owner = kind === 'seal' ? identity.agencyCode : identity.userId;
  const widthMm = input.widthMm ?? null;
  return ctx.runInTransaction(async (tx) => {
    const id = randomUUID();
    await insertImage(tx, {
      id,
      agencyCode: identity.agencyCode,
      owner,
      kind,
      png,
      widthPx: checked.width,
      heightPx: checked.height,
      widthMm,
      createdBy: identity.userId,
    });
    const view: ImageView = {
      id,
      kind,
      owner,
      widthPx: checked.width,
      heightPx: checked.height,
      widthMm,
      dominant: checked.dominant,
    };
    return view;
  });
}
