import { PNG } from 'pngjs';
import type { AppError } from '@vanthu/platform';
import { checkSignatureImage } from '../src/appearance/signature-image';
import { blueSignaturePng, redSealPng } from './fixtures/images';

function opaque(r: number, g: number, b: number): Buffer {
  const png = new PNG({ width: 20, height: 20 });
  for (let i = 0; i < png.data.length; i += 4) {
    png.data[i] = r;
    png.data[i + 1] = g;
    png.data[i + 2] = b;
    png.data[i + 3] = 255;
  }
  return PNG.sync.write(png);
}

const problem = (f: () => unknown): AppError => {
  try {
    f();
  } catch (error) {
    return error as AppError;
  }
  throw new Error('no error');
};

describe('signature and seal images (NĐ 30/2020 Phụ lục I.II.7.d, 8.a)', () => {
  it('accepts a blue signature and a red seal with transparent backgrounds', () => {
    expect(checkSignatureImage(blueSignaturePng(), 'signature').dominant).toBe('blue');
    expect(checkSignatureImage(redSealPng(), 'seal')).toMatchObject({ dominant: 'red', width: 400, height: 400 });
  });

  it('refuses a non-PNG, an image without transparency, a red signature and a blue seal', () => {
    expect(problem(() => checkSignatureImage(Buffer.from('GIF89a'), 'signature')).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(problem(() => checkSignatureImage(opaque(20, 40, 200), 'signature')).message).toMatch(/transparent/);
    expect(problem(() => checkSignatureImage(redSealPng(), 'signature')).message).toMatch(/blue/);
    expect(problem(() => checkSignatureImage(blueSignaturePng(), 'seal')).message).toMatch(/red/);
  });
});
