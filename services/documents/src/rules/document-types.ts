// NĐ 30/2020 Điều 7 (the 29 administrative document types) with the abbreviations of
// Phụ lục III.I; công văn and thư công have none. The copy kinds are the last three rows.
export type DocumentType = { code: string; name: string; abbreviation: string | null; kind: 'administrative' | 'copy' };

const administrative: [string, string | null][] = [
  ['Nghị quyết', 'NQ'],
  ['Quyết định', 'QĐ'],
  ['Chỉ thị', 'CT'],
  ['Quy chế', 'QC'],
  ['Quy định', 'QyĐ'],
  ['Thông cáo', 'TC'],
  ['Thông báo', 'TB'],
  ['Hướng dẫn', 'HD'],
  ['Chương trình', 'CTr'],
  ['Kế hoạch', 'KH'],
  ['Phương án', 'PA'],
  ['Đề án', 'ĐA'],
  ['Dự án', 'DA'],
  ['Báo cáo', 'BC'],
  ['Biên bản', 'BB'],
  ['Tờ trình', 'TTr'],
  ['Hợp đồng', 'HĐ'],
  ['Công văn', null],
  ['Công điện', 'CĐ'],
  ['Bản ghi nhớ', 'BGN'],
  ['Bản thỏa thuận', 'BTT'],
  ['Giấy ủy quyền', 'GUQ'],
  ['Giấy mời', 'GM'],
  ['Giấy giới thiệu', 'GGT'],
  ['Giấy nghỉ phép', 'GNP'],
  ['Phiếu gửi', 'PG'],
  ['Phiếu chuyển', 'PC'],
  ['Phiếu báo', 'PB'],
  ['Thư công', null],
];

const copies: [string, string][] = [
  ['Bản sao y', 'SY'],
  ['Bản trích sao', 'TrS'],
  ['Bản sao lục', 'SL'],
];

// Codes are the abbreviation where there is one (the form integrators already know), else a
// stable slug: Công văn → CV, Thư công → TCg (neither appears in a ký hiệu).
const codeFor = (name: string, abbreviation: string | null): string =>
  abbreviation ?? (name === 'Công văn' ? 'CV' : 'TCg');

export const documentTypes: readonly DocumentType[] = [
  ...administrative.map(([name, abbreviation]) => ({
    code: codeFor(name, abbreviation),
    name: name.normalize('NFC'),
    abbreviation: abbreviation?.normalize('NFC') ?? null,
    kind: 'administrative' as const,
  })),
  ...copies.map(([name, abbreviation]) => ({
    code: abbreviation,
    name: name.normalize('NFC'),
    abbreviation,
    kind: 'copy' as const,
  })),
];

export function findDocumentType(code: string): DocumentType | undefined {
  const wanted = code.normalize('NFC');
  return documentTypes.find((type) => type.code === wanted);
}
