import type { RegisterEntry } from '../repositories/registers-repository';
import { findDocumentType } from './document-types';
import { formatNumber } from './numbering';

export type RegisterLayout = {
  title: string;
  columns: { header: string; width: number }[];
  row: (entry: RegisterEntry) => string[];
};

const text = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
// dd/MM/yyyy, as Vietnamese registers write dates.
const vnDate = (iso: unknown): string => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text(iso));
  return match ? `${match[3]}/${match[2]}/${match[1]}` : '';
};
const typeAndSubject = (entry: RegisterEntry): string => {
  const type = entry.typeCode ? findDocumentType(entry.typeCode)?.name : undefined;
  return type ? `${type}: ${entry.subject}` : entry.subject;
};
const signer = (metadata: Record<string, unknown>): string => {
  const value = metadata.signer as { fullName?: string; position?: string } | undefined;
  return value ? [value.position, value.fullName].filter(Boolean).join(' ') : '';
};
const recipients = (metadata: Record<string, unknown>): string =>
  ((metadata.to as { organId: string; organName?: string }[] | undefined) ?? [])
    .map((r) => r.organName ?? r.organId)
    .join('; ');
const remark = (entry: RegisterEntry): string =>
  entry.status === 'recalled' ? 'Đã thu hồi' : entry.status === 'revoked' ? 'Bị thu hồi' : '';

/** NĐ 30/2020 Phụ lục IV: the columns of each register, in the decree's order. */
export const registerLayouts = {
  // Sổ đăng ký văn bản đi (10 columns).
  outgoing: {
    title: 'SỔ ĐĂNG KÝ VĂN BẢN ĐI',
    columns: [
      { header: 'Số, ký hiệu văn bản', width: 11 },
      { header: 'Ngày tháng văn bản', width: 8 },
      { header: 'Tên loại và trích yếu nội dung văn bản', width: 24 },
      { header: 'Người ký', width: 10 },
      { header: 'Nơi nhận văn bản', width: 12 },
      { header: 'Đơn vị, người nhận bản lưu', width: 9 },
      { header: 'Số lượng bản', width: 5 },
      { header: 'Ngày chuyển', width: 7 },
      { header: 'Ký nhận', width: 6 },
      { header: 'Ghi chú', width: 8 },
    ],
    row: (entry: RegisterEntry) => [
      entry.notation,
      vnDate(entry.metadata.issuedDate ?? entry.registeredOn),
      typeAndSubject(entry),
      signer(entry.metadata),
      recipients(entry.metadata),
      '',
      text(entry.metadata.issuedAmount),
      '',
      '',
      remark(entry),
    ],
  },
  // Sổ đăng ký văn bản đến (10 columns).
  incoming: {
    title: 'SỔ ĐĂNG KÝ VĂN BẢN ĐẾN',
    columns: [
      { header: 'Ngày đến', width: 7 },
      { header: 'Số đến', width: 5 },
      { header: 'Tác giả', width: 13 },
      { header: 'Số, ký hiệu văn bản', width: 11 },
      { header: 'Ngày tháng văn bản', width: 8 },
      { header: 'Tên loại và trích yếu nội dung văn bản', width: 24 },
      { header: 'Đơn vị hoặc người nhận', width: 11 },
      { header: 'Ngày chuyển', width: 7 },
      { header: 'Ký nhận', width: 6 },
      { header: 'Ghi chú', width: 8 },
    ],
    row: (entry: RegisterEntry) => [
      vnDate(entry.metadata.arrivalDate ?? entry.registeredOn),
      formatNumber(entry.number),
      text(
        (entry.metadata.sender as { organName?: string; organId?: string } | undefined)?.organName ??
          (entry.metadata.sender as { organId?: string } | undefined)?.organId,
      ),
      entry.notation,
      vnDate(entry.metadata.issuedDate),
      typeAndSubject(entry),
      text(entry.metadata.toPlaces),
      '',
      '',
      remark(entry),
    ],
  },
  // Sổ theo dõi giải quyết văn bản đến (7 columns).
  'handling-tracker': {
    title: 'SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN',
    columns: [
      { header: 'Số đến', width: 5 },
      { header: 'Tên loại, số và ký hiệu, ngày tháng, tác giả và trích yếu nội dung văn bản', width: 30 },
      { header: 'Đơn vị hoặc người nhận', width: 12 },
      { header: 'Thời hạn giải quyết', width: 8 },
      { header: 'Tiến độ giải quyết', width: 12 },
      { header: 'Số, ký hiệu văn bản trả lời', width: 10 },
      { header: 'Ghi chú', width: 8 },
    ],
    row: (entry: RegisterEntry) => [
      formatNumber(entry.number),
      [
        typeAndSubject(entry),
        `Số ${entry.notation}`,
        vnDate(entry.metadata.issuedDate),
        text((entry.metadata.sender as { organName?: string } | undefined)?.organName),
      ]
        .filter(Boolean)
        .join(', '),
      text(entry.metadata.toPlaces),
      vnDate(entry.metadata.dueDate),
      text(entry.metadata.traceHeaderList).slice(0, 300),
      '',
      remark(entry),
    ],
  },
} satisfies Record<string, RegisterLayout>;
