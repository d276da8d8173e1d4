import { vietnamIsoDateTime } from '@vanthu/platform';

// QCVN 102:2016 writes dates as yyyy/MM/dd and trace timestamps as yyyy/MM/dd HH:mm:ss with no
// zone, which hubs and agencies read as Vietnamese civil time (UTC+07:00).

const isoDatePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const edxmlDatePattern = /^(\d{4})\/(\d{2})\/(\d{2})$/;
const dayFirstPattern = /^(\d{2})\/(\d{2})\/(\d{4})$/;
const edxmlTimestampPattern = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const isoTimestampPattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\+07:00$/;

export function isRealDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** `2026-12-01` → `2026/12/01`. */
export function toEdxmlDate(isoDate: string): string {
  const match = isoDatePattern.exec(isoDate);
  if (!match) throw new Error(`not an ISO date: ${isoDate}`);
  return `${match[1]}/${match[2]}/${match[3]}`;
}

export type ParsedDate = { isoDate: string; form: 'edxml' | 'day-first' } | { invalid: string };

/** Reads `yyyy/MM/dd`, and `dd/MM/yyyy` which some Bkav senders write; never guesses anything else. */
export function fromEdxmlDate(text: string): ParsedDate {
  const edxml = edxmlDatePattern.exec(text);
  const dayFirst = edxml ? null : dayFirstPattern.exec(text);
  const parts = edxml
    ? { year: edxml[1], month: edxml[2], day: edxml[3] }
    : dayFirst
      ? { year: dayFirst[3], month: dayFirst[2], day: dayFirst[1] }
      : null;
  if (!parts) return { invalid: text };
  if (!isRealDate(Number(parts.year), Number(parts.month), Number(parts.day))) return { invalid: text };
  return { isoDate: `${parts.year}-${parts.month}-${parts.day}`, form: edxml ? 'edxml' : 'day-first' };
}

/** An ISO instant with +07:00 (as vietnamIsoDateTime writes it) → `yyyy/MM/dd HH:mm:ss`. */
export function toEdxmlTimestamp(isoTimestamp: string): string {
  const match = isoTimestampPattern.exec(isoTimestamp);
  if (!match) throw new Error(`not an ISO timestamp with +07:00: ${isoTimestamp}`);
  return `${match[1]}/${match[2]}/${match[3]} ${match[4]}:${match[5]}:${match[6]}`;
}

export function edxmlTimestampAt(at: Date): string {
  return toEdxmlTimestamp(vietnamIsoDateTime(at));
}

export function fromEdxmlTimestamp(text: string): string | undefined {
  const match = edxmlTimestampPattern.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as number[];
  if (!isRealDate(year!, month!, day!) || hour! > 23 || minute! > 59 || second! > 59) return undefined;
  return `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}+07:00`;
}

// Mã định danh văn bản: {OrganId},{yyyy/MM/dd},{số}/{ký hiệu} (NĐ 30/2020 Phụ lục VI; VNPT samples).
const documentIdPattern = /^([^,]{1,13}),(\d{4}\/\d{2}\/\d{2}),([^/,]+)\/([^,]+)$/;

export type DocumentIdParts = { organId: string; date: string; codeNumber: string; codeNotation: string };

export function formatDocumentId(parts: DocumentIdParts): string {
  return `${parts.organId},${toEdxmlDate(parts.date)},${parts.codeNumber}/${parts.codeNotation}`;
}

/** The parts of a DocumentId, or undefined when it does not have the shape or its date does not exist. */
export function parseDocumentId(documentId: string): DocumentIdParts | undefined {
  const match = documentIdPattern.exec(documentId);
  if (!match) return undefined;
  const date = fromEdxmlDate(match[2]!);
  if (!('isoDate' in date) || date.form !== 'edxml') return undefined;
  return { organId: match[1]!, date: date.isoDate, codeNumber: match[3]!, codeNotation: match[4]! };
}
