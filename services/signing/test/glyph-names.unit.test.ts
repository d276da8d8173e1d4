import fs from 'node:fs';
import { readCff } from '../src/validation/cff-fonts';
import { glyphCharacters } from '../src/validation/glyph-names';

describe('glyph names to characters (Adobe Glyph List Specification), as simple-font fills are read', () => {
  it.each([
    ['A', 'A'],
    ['Euro', '€'],
    ['quoteright', '’'],
    ['Dcroat', 'Đ'],
    ['ecircumflextilde', 'ễ'],
    ['uni1EC5', 'ễ'],
    ['uni00410042', 'AB'],
    ['u1F600', '😀'],
    ['f_i', 'fi'],
    ['a.sc', 'a'],
    ['Euro.serif.bold', '€'],
  ])('%s stands for %s', (name, chars) => {
    expect(glyphCharacters(name)).toBe(chars);
  });

  it.each(['', '.notdef', 'glyph123', 'uniD800', 'uni1ec5', 'u110000', 'uni12'])(
    '%s stands for no character',
    (name) => {
      expect(glyphCharacters(name)).toBeNull();
    },
  );
});

describe('a CFF program read for its glyph names and built-in encoding (Adobe TN 5176)', () => {
  it("reads pdfjs-dist's FoxitSerif: .notdef first, names in charset order, StandardEncoding built in", () => {
    const cff = readCff(fs.readFileSync(require.resolve('pdfjs-dist/standard_fonts/FoxitSerif.pfb')));
    expect(cff?.cids).toBeNull();
    expect(cff?.names?.[0]).toBe('.notdef');
    expect(cff?.names).toEqual(expect.arrayContaining(['space', 'one', 'eacute', 'Euro']));
    expect(cff?.encoding?.[0x41]).toBe('A');
    // StandardEncoding's quoteright at 0x27 (not quotesingle).
    expect(cff?.encoding?.[0x27]).toBe('quoteright');
  });

  it('refuses what is not a CFF program', () => {
    expect(readCff(Buffer.from('not a font at all'))).toBeNull();
    expect(readCff(fs.readFileSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'))).toBeNull();
  });
});
