import fc from 'fast-check';
import { PdfString } from '../src';

// Text strings as PDF writers store them: the bytes stay as parsed however often the text is read.
describe('PdfString.text', () => {
  it('reads UTF-16BE Vietnamese the same every time and leaves the bytes untouched', () => {
    const s = PdfString.fromText('Người ký: Nguyễn Văn An');
    const before = Buffer.from(s.bytes);
    expect(s.text()).toBe('Người ký: Nguyễn Văn An');
    expect(s.text()).toBe('Người ký: Nguyễn Văn An');
    expect(s.bytes.equals(before)).toBe(true);
  });

  it('drops an odd trailing byte of a UTF-16BE string instead of throwing', () => {
    const s = new PdfString(Buffer.from([0xfe, 0xff, 0x00, 0x41, 0x00]));
    expect(s.text()).toBe('A');
  });

  it('round-trips any text through fromText, read twice', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
        const s = PdfString.fromText(text);
        expect(s.text()).toBe(text.normalize('NFC'));
        expect(s.text()).toBe(text.normalize('NFC'));
      }),
    );
  });
});
