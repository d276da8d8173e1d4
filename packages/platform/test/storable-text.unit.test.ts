import { assertStorableText, findUnstorableText } from '../src/storable-text';

describe('text that PostgreSQL cannot store is refused at the edge', () => {
  it('finds a NUL character or a lone surrogate anywhere, naming the field', () => {
    expect(findUnstorableText({ subject: 'Về việc\u0000' }, 'body')).toEqual({
      field: 'body.subject',
      message: 'contains a NUL character (U+0000)',
    });
    expect(findUnstorableText({ members: ['an', 'b\ud800'] }, 'body')?.field).toBe('body.members.1');
    expect(findUnstorableText({ a: { '\udc00': 1 } }, 'body')?.message).toMatch(/property name/);
    expect(() => assertStorableText({ q: '\u0000' }, 'metadata')).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });

  it('accepts Vietnamese text, emoji (surrogate pairs), numbers and nulls', () => {
    expect(findUnstorableText({ s: 'Ủy ban nhân dân tỉnh 😀', n: 1, z: null, l: [true] }, 'body')).toBeUndefined();
  });
});
