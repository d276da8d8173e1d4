import fs from 'node:fs';
import fontkit from '@pdf-lib/fontkit';

export type FontFiles = { regular: string; bold: string };

// Times-compatible Liberation Serif 2.x covers Vietnamese; the 1.07 release Debian ships as
// fonts-liberation does not (no U+1EA0–U+1EF9), so DejaVu Serif is the fallback that does.
const candidates: FontFiles[] = [
  {
    regular: '/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf',
    bold: '/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf',
  },
  {
    regular: '/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf',
    bold: '/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf',
  },
  {
    regular: '/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf',
    bold: '/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf',
  },
];

// Letters only Vietnamese uses, from the precomposed range and beyond Latin-1.
const probe = 'ẾếẠạỮữỹỢợĐđƯưƠơ';

function coversVietnamese(file: string): boolean {
  try {
    const font = fontkit.create(fs.readFileSync(file)) as unknown as { hasGlyphForCodePoint: (cp: number) => boolean };
    return [...probe].every((ch) => font.hasGlyphForCodePoint(ch.codePointAt(0) ?? 0));
  } catch {
    return false;
  }
}

let resolved: FontFiles | undefined;

/** The first installed serif font pair with every Vietnamese letter; throws naming the packages to install. */
export function vietnameseFontFiles(): FontFiles {
  if (resolved) return resolved;
  const found = candidates.find(
    (pair) =>
      fs.existsSync(pair.regular) &&
      fs.existsSync(pair.bold) &&
      coversVietnamese(pair.regular) &&
      coversVietnamese(pair.bold),
  );
  if (!found)
    throw new Error(
      'no serif font with Vietnamese glyphs is installed; install fonts-liberation2 or fonts-dejavu-core',
    );
  resolved = found;
  return found;
}
