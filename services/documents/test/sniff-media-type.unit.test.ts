import { sniffMediaType } from '../src/rules/sniff-media-type';

describe('sniffMediaType', () => {
  it('recognises a PDF by its header, also after leading junk within the first KiB', () => {
    expect(sniffMediaType(Buffer.from('%PDF-1.7\n%âãÏÓ\n'))).toBe('application/pdf');
    expect(sniffMediaType(Buffer.concat([Buffer.alloc(500, 0x20), Buffer.from('%PDF-1.4\n')]))).toBe('application/pdf');
  });

  it('takes a zip only as a candidate DOCX, to be inspected further', () => {
    expect(sniffMediaType(Buffer.from('PK\u0003\u0004...'))).toBe('application/zip');
  });

  it('refuses anything else regardless of what the client claims', () => {
    expect(() => sniffMediaType(Buffer.from('PK\u0005\u0006'))).toThrow(/neither a PDF/);
    expect(() => sniffMediaType(Buffer.from('<html>%PDF</html>'))).toThrow(/neither a PDF/);
    expect(() => sniffMediaType(Buffer.alloc(0))).toThrow(/neither a PDF/);
  });
});
