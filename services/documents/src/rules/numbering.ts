// Pure rules of số, ký hiệu and mã định danh văn bản (NĐ 30/2020 Điều 15; Phụ lục I.II.3; Phụ lục VI).

// Vietnamese civil dates live in the platform; numbering uses them (yearly series restart on 1 January in Vietnam).
import { vietnamDate, vietnamIsoDate } from '@vanthu/platform';
export { vietnamDate, vietnamIsoDate };

const pad2 = (n: number): string => String(n).padStart(2, '0');

// Phụ lục I.II.3.c: Arabic digits, numbers below 10 get a leading 0.
export const formatNumber = (n: number): string => pad2(n);

// Phụ lục I.II.3.c: upper case, "/" between số and ký hiệu, "-" between groups, no spaces.
// The Phụ lục III abbreviations keep their mixed case (QyĐ, CTr, TTr): the table is the source.
const cleanGroup = (group: string): string => group.normalize('NFC').replace(/\s+/g, '');

/**
 * The full số/ký hiệu: `{số}/{type}-{agency}` (e.g. 15/QĐ-UBND), or `{số}/{agency}-{unit}` for a
 * type without abbreviation (công văn: 45/UBND-KGVX).
 */
export function buildNotation(input: {
  number: number;
  typeAbbreviation: string | null;
  agencyAbbreviation: string;
  unitAbbreviation?: string | null;
}): string {
  return fillNumber(notationTemplate(input), input.number);
}

/**
 * A text that contains the số, before the số is known: the literal pieces, with the formatted number between each
 * two (`['', '/QĐ-UBND']` is "15/QĐ-UBND" for 15; one piece is a text without it). The registration takes its number
 * and writes the texts that contain it in one statement, so these travel to the repository unfilled.
 */
export type NumberedText = readonly string[];

/** The text with its số filled in: what `fillNumber` and the registration statement both produce. */
export const fillNumber = (text: NumberedText, n: number): string => text.join(formatNumber(n));

/** The ký hiệu of `buildNotation` before its số is known: `{số}/{groups}`. */
export function notationTemplate(input: {
  typeAbbreviation: string | null;
  agencyAbbreviation: string;
  unitAbbreviation?: string | null;
}): NumberedText {
  const agency = cleanGroup(input.agencyAbbreviation).toUpperCase();
  const groups =
    input.typeAbbreviation !== null
      ? [cleanGroup(input.typeAbbreviation), agency]
      : [agency, ...(input.unitAbbreviation ? [cleanGroup(input.unitAbbreviation).toUpperCase()] : [])];
  return ['', `/${groups.join('-')}`];
}

/** A text that does not contain the số (an incoming document keeps its issuer's số/ký hiệu). */
export const withoutNumber = (text: string): NumberedText => [text];

/** `prefix` before a numbered text. */
export const prefixed = (prefix: string, text: NumberedText): NumberedText => [
  `${prefix}${text[0] ?? ''}`,
  ...text.slice(1),
];

/**
 * A numbered text, then a space and the formatted số, each literal piece passed through `fold` (the search text of a
 * registration: the ký hiệu and the number alone, so "15" and "15/QĐ" both find it). `fold` must work character by
 * character on pieces without leading or trailing space, as `foldForSearch` does on a ký hiệu.
 */
export const followedByNumber = (text: NumberedText, fold: (piece: string) => string): NumberedText => [
  ...text.map(fold).slice(0, -1),
  `${fold(text[text.length - 1] ?? '')} `,
  '',
];

/** Mã định danh văn bản: `{OrganId},{yyyy/MM/dd},{số}/{ký hiệu}` (docs/domain/requirements.md §7.18). */
export function buildDocumentIdentifier(
  organId: string,
  issuedOn: { year: number; month: number; day: number },
  notation: string,
): string {
  return `${organId},${issuedOn.year}/${pad2(issuedOn.month)}/${pad2(issuedOn.day)},${notation}`;
}

/** FileCode of a hồ sơ (Phụ lục VI mục III.1): OrganId, year of the Danh mục and FileNotation. */
export const buildFileCode = (organId: string, year: number, fileNotation: string): string =>
  `${organId}.${year}.${fileNotation}`;
