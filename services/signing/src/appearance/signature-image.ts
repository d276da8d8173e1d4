import { PNG } from 'pngjs';
import { AppError } from '@vanthu/platform';

export type ImageKind = 'signature' | 'seal' | 'initial';
export type CheckedImage = { width: number; height: number; dominant: 'blue' | 'red' | 'other' };

/**
 * Checks an uploaded image the way NĐ 30/2020 Phụ lục I.II.7.d and 8.a describe it: PNG with
 * a transparent background, a blue handwritten signature or a red seal.
 */
export function checkSignatureImage(png: Buffer, kind: ImageKind): CheckedImage {
  let image: PNG;
  try {
    image = PNG.sync.read(png);
  } catch {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'the image is not a PNG');
  }
  const { width, height, data } = image;
  let transparent = 0;
  let red = 0;
  let blue = 0;
  let ink = 0;
  for (let i = 0; i < data.length; i += 4) {
    const [r = 0, g = 0, b = 0, a = 0] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
    if (a < 32) {
      transparent += 1;
      continue;
    }
    if (a < 128) continue;
    ink += 1;
    if (b > r + 40 && b > g + 20) blue += 1;
    else if (r > g + 60 && r > b + 60) red += 1;
  }
  const pixels = width * height;
  if (transparent < pixels * 0.05)
    throw new AppError(
      'UNPROCESSABLE',
      'the image has no transparent background (PNG with an alpha channel is required)',
      { errors: [{ field: 'file', message: 'no transparency' }] },
    );
  if (ink === 0)
    throw new AppError('UNPROCESSABLE', 'the image is empty', {
      errors: [{ field: 'file', message: 'no visible pixels' }],
    });
  const dominant = blue > ink * 0.6 ? 'blue' : red > ink * 0.6 ? 'red' : 'other';
  // NĐ 30/2020 Phụ lục I.II.7.d: the signature of the person with authority is blue.
  if ((kind === 'signature' || kind === 'initial') && dominant !== 'blue')
    throw new AppError('UNPROCESSABLE', 'a handwritten-signature image must be blue', {
      errors: [{ field: 'file', message: 'not blue' }],
    });
  // NĐ 30/2020 Phụ lục I.II.8.a: the seal image is red.
  if (kind === 'seal' && dominant !== 'red')
    throw new AppError('UNPROCESSABLE', 'a seal image must be red', {
      errors: [{ field: 'file', message: 'not red' }],
    });
  return { width, height, dominant };
}
