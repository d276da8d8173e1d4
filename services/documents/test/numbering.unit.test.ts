import fc from 'fast-check';
import {
  buildDocumentIdentifier,
  buildNotation,
  fillNumber,
  followedByNumber,
  formatNumber,
  notationTemplate,
  prefixed,
  withoutNumber,
  vietnamDate,
  vietnamIsoDate,
} from '../src/rules/numbering';
import { documentTypes, findDocumentType } from '../src/rules/document-types';
import { foldForSearch } from '../src/rules/search-text';
import { isCalendarDate } from '../src/schemas/formats';

describe('số and ký hiệu (NĐ 30/2020 Điều 15; Phụ lục I.II.3)', () => {
  it('pads numbers below 10 with a leading zero and leaves larger ones alone', () => {
    expect([1, 9, 10, 99, 100, 1000].map(formatNumber)).toEqual(['01', '09', '10', '99', '100', '1000']);
  });

  it('builds {số}/{type}-{agency}, and {số}/{agency}-{unit} for types without abbreviation', () => {
    expect(buildNotation({ number: 15, typeAbbreviation: 'QĐ', agencyAbbreviation: 'UBND' })).toBe('15/QĐ-UBND');
    expect(
      buildNotation({ number: 5, typeAbbreviation: null, agencyAbbreviation: 'ubnd', unitAbbreviation: 'kgvx' }),
    ).toBe('05/UBND-KGVX');
    expect(buildNotation({ number: 3, typeAbbreviation: 'TTr', agencyAbbreviation: 'S KHCN' })).toBe('03/TTr-SKHCN');
  });

  it('fills a numbered text as buildNotation, buildDocumentIdentifier and the search text write it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 99_999 }),
        fc.string({ minLength: 1, maxLength: 12 }),
        fc.option(fc.constantFrom(...documentTypes.map((t) => t.abbreviation))),
        (n, agency, type) => {
          const parts = { typeAbbreviation: type ?? null, agencyAbbreviation: agency, unitAbbreviation: 'vp' };
          const notation = buildNotation({ number: n, ...parts });
          const template = notationTemplate(parts);
          expect(fillNumber(template, n)).toBe(notation);
          const on = { year: 2026, month: 3, day: 9 };
          expect(fillNumber(prefixed(buildDocumentIdentifier('000.00.00.H99', on, ''), template), n)).toBe(
            buildDocumentIdentifier('000.00.00.H99', on, notation),
          );
          expect(fillNumber(followedByNumber(template, foldForSearch), n)).toBe(
            foldForSearch(`${notation} ${formatNumber(n)}`),
          );
          expect(fillNumber(followedByNumber(withoutNumber('125/SNV-VP'), foldForSearch), n)).toBe(
            foldForSearch(`125/SNV-VP ${formatNumber(n)}`),
          );
        },
      ),
    );
  });

  it('never puts spaces in a ký hiệu', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 99_999 }),
        fc.string({ minLength: 1, maxLength: 12 }),
        fc.option(fc.constantFrom(...documentTypes.map((t) => t.abbreviation))),
        (n, agency, type) => {
          const notation = buildNotation({
            number: n,
            typeAbbreviation: type ?? null,
            agencyAbbreviation: agency,
            unitAbbreviation: 'VP',
          });
          expect(notation).not.toMatch(/\s/);
          expect(notation.startsWith(`${formatNumber(n)}/`)).toBe(true);
        },
      ),
    );
  });

  it('builds the mã định danh văn bản {OrganId},{yyyy/MM/dd},{số}/{ký hiệu}', () => {
    expect(buildDocumentIdentifier('000.00.31.H56', { year: 2026, month: 3, day: 2 }, '15/QĐ-UBND')).toBe(
      '000.00.31.H56,2026/03/02,15/QĐ-UBND',
    );
  });

  it('starts the year on 1 January in Vietnam (UTC+7), not in UTC', () => {
    expect(vietnamDate(new Date('2026-12-31T16:59:59Z')).year).toBe(2026);
    expect(vietnamDate(new Date('2026-12-31T17:00:00Z'))).toEqual({ year: 2027, month: 1, day: 1 });
    expect(vietnamIsoDate(new Date('2027-01-01T00:00:00+07:00'))).toBe('2027-01-01');
  });
});

describe('document-type catalogue (NĐ 30/2020 Điều 7; Phụ lục III)', () => {
  it('has the 29 administrative types, of which only công văn and thư công lack an abbreviation, and SY/TrS/SL', () => {
    const administrative = documentTypes.filter((t) => t.kind === 'administrative');
    expect(administrative).toHaveLength(29);
    expect(administrative.filter((t) => t.abbreviation === null).map((t) => t.name)).toEqual(['Công văn', 'Thư công']);
    expect(new Set(documentTypes.map((t) => t.code)).size).toBe(documentTypes.length);
    expect(findDocumentType('QyĐ')?.name).toBe('Quy định');
    expect(findDocumentType('QyĐ'.normalize('NFD'))?.name).toBe('Quy định');
    expect(findDocumentType('XX')).toBeUndefined();
  });
});

describe('search folding', () => {
  it('folds accents, đ and case, and is idempotent', () => {
    expect(foldForSearch('Quyết định ĐẦU TƯ  đường')).toBe('quyet dinh dau tu duong');
    fc.assert(fc.property(fc.string(), (s) => expect(foldForSearch(foldForSearch(s))).toBe(foldForSearch(s))));
    expect(foldForSearch('Quyết định'.normalize('NFD'))).toBe(foldForSearch('Quyết định'));
    expect(foldForSearch('a\u0000b')).toBe('a b');
  });
});

describe('calendar dates', () => {
  it('accepts real dates only', () => {
    expect(['2026-02-28', '2024-02-29'].map(isCalendarDate)).toEqual([true, true]);
    expect(['2026-02-29', '2026-13-01', '26-01-01', '2026-1-1'].map(isCalendarDate)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
