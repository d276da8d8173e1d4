import ExcelJS from 'exceljs';
import { AppError, withTransaction } from '@vanthu/platform';
import { findOrganisation } from '../repositories/organisations-repository';
import { findRegister, listRegisterEntries } from '../repositories/registers-repository';
import type { RegisterExportQuery } from '../schemas/register';
import { renderTablePdf } from '../rendering/pdf-table';
import { registerLayouts } from '../rules/register-layouts';
import type { DocumentsContext } from '../context';

export type ExportRegisterInput = { registerId: string; query: RegisterExportQuery };

export type RegisterExport = { bytes: Buffer; mediaType: string; fileName: string };

const vnDate = (iso: string): string => iso.split('-').reverse().join('/');

/**
 * A register printed as NĐ 30/2020 Phụ lục IV lays it out (Điều 22.3: registers kept in the
 * system must be printable), for a date range, as PDF or XLSX.
 */
export async function exportRegister(input: ExportRegisterInput, ctx: DocumentsContext): Promise<RegisterExport> {
  const { identity } = ctx;
  const { registerId, query } = input;
  if (query.from > query.to)
    throw new AppError('VALIDATION_FAILED', 'from must not be after to', {
      errors: [{ field: 'querystring.from', message: 'after to' }],
    });
  const { register, entries, agencyName } = await withTransaction(ctx.pool, async (tx) => {
    const found = await findRegister(tx, identity.agencyCode, registerId);
    if (!found) throw new AppError('NOT_FOUND', `register ${registerId} not found`);
    const organisation = await findOrganisation(tx, identity.agencyCode);
    return {
      register: found,
      entries: await listRegisterEntries(tx, identity.agencyCode, registerId, query.from, query.to),
      agencyName: organisation?.name ?? identity.agencyCode,
    };
  });
  const layoutName = query.layout === 'handling-tracker' ? 'handling-tracker' : register.direction;
  if (layoutName === 'handling-tracker' && register.direction !== 'incoming') {
    throw new AppError('UNPROCESSABLE', 'the handling tracker is kept for incoming registers', {
      errors: [{ field: 'querystring.layout', message: 'incoming registers only' }],
    });
  }
  const layout = registerLayouts[layoutName];
  const subtitle = [agencyName, register.name, `Từ ngày ${vnDate(query.from)} đến ngày ${vnDate(query.to)}`];
  const rows = entries.map((entry) => layout.row(entry));
  const baseName = `${layoutName}-${query.from}-${query.to}`;
  if (query.format === 'pdf') {
    const pdf = await renderTablePdf({
      title: [layout.title],
      subtitle,
      columns: layout.columns,
      rows,
      landscape: true,
    });
    pdf.setTitle(`${layout.title} – ${register.name}`);
    pdf.setProducer('vanthu');
    return { bytes: Buffer.from(await pdf.save()), mediaType: 'application/pdf', fileName: `${baseName}.pdf` };
  }
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'vanthu';
  const sheet = workbook.addWorksheet(layout.title.slice(0, 31));
  sheet.addRow([layout.title]).font = { bold: true, size: 13 };
  for (const line of subtitle) sheet.addRow([line]);
  sheet.addRow([]);
  const header = sheet.addRow(layout.columns.map((c) => c.header));
  header.font = { bold: true };
  header.alignment = { wrapText: true, vertical: 'middle' };
  layout.columns.forEach((c, i) => {
    sheet.getColumn(i + 1).width = Math.max(8, c.width * 1.6);
  });
  for (const row of rows) sheet.addRow(row).alignment = { wrapText: true, vertical: 'top' };
  return {
    bytes: Buffer.from(await workbook.xlsx.writeBuffer()),
    mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    fileName: `${baseName}.xlsx`,
  };
}
