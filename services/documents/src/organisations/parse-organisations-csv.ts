import { parseString } from '@fast-csv/parse';
import { Value } from '@sinclair/typebox/value';
import { AppError } from '@vanthu/platform';
import { Organisation } from '../schemas/organisation';

type CsvRow = Record<string, string>;

export const organisationCsvColumns = [
  'organisationCode',
  'organisationName',
  'organisationAbbreviation',
  'parentCode',
  'unitCode',
  'unitName',
  'unitAbbreviation',
] as const;

/**
 * Reads the directory CSV (RFC 4180, UTF-8, header row with `organisationCsvColumns`): one row
 * per organisation, or per unit of an organisation (rows of one organisation repeat its columns).
 * Every bad row is reported by its line number; nothing is imported unless all rows are good.
 */
export async function parseOrganisationsCsv(text: string): Promise<Organisation[]> {
  const rows = await new Promise<CsvRow[]>((resolve, reject) => {
    const collected: CsvRow[] = [];
    parseString<CsvRow, CsvRow>(text.replace(/^\uFEFF/, ''), { headers: true, trim: true, strictColumnHandling: true })
      .on('error', reject)
      .on('data-invalid', (_row: unknown, index: number) =>
        reject(new AppError('VALIDATION_FAILED', `CSV line ${index + 2} has the wrong number of columns`)),
      )
      .on('data', (row: CsvRow) => collected.push(row))
      .on('end', () => resolve(collected));
  }).catch((error: unknown) => {
    if (error instanceof AppError) throw error;
    throw new AppError('VALIDATION_FAILED', `the CSV cannot be read: ${(error as Error).message}`);
  });
  const first = rows[0];
  const missing = first ? organisationCsvColumns.filter((column) => !(column in first)) : [...organisationCsvColumns];
  if (missing.length > 0)
    throw new AppError(
      'VALIDATION_FAILED',
      `the CSV needs the columns ${organisationCsvColumns.join(',')}; missing ${missing.join(', ')}`,
    );
  const byCode = new Map<string, Organisation>();
  const errors: { field: string; message: string }[] = [];
  rows.forEach((row, index) => {
    const line = index + 2;
    const code = row.organisationCode ?? '';
    const organisation = byCode.get(code) ?? {
      code,
      name: (row.organisationName ?? '').normalize('NFC'),
      abbreviation: (row.organisationAbbreviation ?? '').normalize('NFC'),
      // An empty cell leaves the parent the directory has (a CSV cannot leave a column out).
      ...(row.parentCode ? { parentCode: row.parentCode } : {}),
      units: [],
    };
    if (row.unitCode)
      organisation.units?.push({
        code: row.unitCode,
        name: (row.unitName ?? '').normalize('NFC'),
        abbreviation: (row.unitAbbreviation ?? '').normalize('NFC'),
      });
    for (const error of Value.Errors(Organisation, organisation))
      errors.push({ field: `line ${line}${error.path.replace(/\//g, '.')}`, message: error.message });
    byCode.set(code, organisation);
  });
  if (errors.length > 0)
    throw new AppError(
      'VALIDATION_FAILED',
      `${errors.length} problem(s) in the CSV, e.g. ${errors[0]?.field}: ${errors[0]?.message}`,
      { errors: errors.slice(0, 100) },
    );
  if (byCode.size === 0) throw new AppError('VALIDATION_FAILED', 'the CSV has no rows');
  return [...byCode.values()];
}
