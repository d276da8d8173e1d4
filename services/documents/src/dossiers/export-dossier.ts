import { PDFDocument } from 'pdf-lib';
import { withTransaction } from '@vanthu/platform';
import { findDocument } from '../repositories/documents-repository';
import type { Document } from '../schemas/document';
import { renderTablePdf } from '../rendering/pdf-table';
import type { DocumentsContext } from '../context';
import { getDossier } from './get-dossier';

export type ExportDossierInput = { dossierId: string };

const escapeXml = (value: string): string => value.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function toXml(name: string, value: unknown, indent = ''): string {
  if (value === null || value === undefined) return `${indent}<${name}/>`;
  if (Array.isArray(value))
    return `${indent}<${name}>\n${value.map((item) => toXml('item', item, `${indent}  `)).join('\n')}\n${indent}</${name}>`;
  if (typeof value === 'object') {
    const children = Object.entries(value).map(([key, child]) => toXml(key, child, `${indent}  `));
    return `${indent}<${name}>\n${children.join('\n')}\n${indent}</${name}>`;
  }
  return `${indent}<${name}>${escapeXml(String(value))}</${name}>`;
}

/**
 * A dossier as one package (Phụ lục VI mục III.4; docs/domain/requirements.md §7.26): one PDF whose first pages
 * are the table of contents (Mục lục văn bản), followed by every document's current PDF in
 * ordinal order, with the metadata of the dossier and its documents attached as JSON and XML.
 * The verified bytes of each version are used, so a corrupted blob fails the export.
 */
export async function exportDossier(
  input: ExportDossierInput,
  ctx: DocumentsContext,
): Promise<{ bytes: Buffer; fileName: string }> {
  const { identity } = ctx;
  const dossier = await getDossier({ dossierId: input.dossierId }, ctx);
  const documents = await withTransaction(ctx.pool, async (tx) => {
    const found: Document[] = [];
    for (const entry of dossier.documents) {
      const document = await findDocument(tx, identity.agencyCode, entry.documentId);
      if (document) found.push(document);
    }
    return found;
  });
  const contents: { document: Document; bytes: Buffer | undefined; pages: number }[] = [];
  for (const document of documents) {
    const version = document.versions.find((v) => v.version === document.currentVersion);
    let bytes: Buffer | undefined;
    if (version?.mediaType === 'application/pdf') {
      const { stream } = await ctx.blobs.openVerified(version.sha256);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      bytes = Buffer.concat(chunks);
    }
    const pages = bytes ? (await PDFDocument.load(bytes, { ignoreEncryption: true })).getPageCount() : 0;
    contents.push({ document, bytes, pages });
  }
  const columns = [
    { header: 'STT', width: 5 },
    { header: 'Số, ký hiệu văn bản', width: 16 },
    { header: 'Ngày tháng văn bản', width: 11 },
    { header: 'Trích yếu nội dung', width: 46 },
    { header: 'Tờ số', width: 8 },
    { header: 'Ghi chú', width: 10 },
  ];
  const subtitle = [dossier.title, `Mã hồ sơ: ${dossier.fileCode}`, `Thời hạn bảo quản: ${dossier.maintenance}`];
  // Each row gives the page where its document starts, which depends on the table's own length.
  const rowsAfter = (tocLength: number): string[][] => {
    let next = tocLength + 1;
    return dossier.documents.map((entry, i) => {
      const start = next;
      next += contents[i]?.pages ?? 0;
      return [
        String(entry.ordinal),
        entry.notation ?? '',
        entry.issuedDate ? entry.issuedDate.split('-').reverse().join('/') : '',
        entry.subject,
        String(start),
        '',
      ];
    });
  };
  const tocLength = (
    await renderTablePdf({ title: ['MỤC LỤC VĂN BẢN'], subtitle, columns, rows: rowsAfter(0), landscape: false })
  ).getPageCount();
  const pdf = await renderTablePdf({
    title: ['MỤC LỤC VĂN BẢN'],
    subtitle,
    columns,
    rows: rowsAfter(tocLength),
    landscape: false,
  });
  for (const { bytes } of contents) {
    if (!bytes) continue;
    const source = await PDFDocument.load(bytes, { ignoreEncryption: true });
    for (const page of await pdf.copyPages(source, source.getPageIndices())) pdf.addPage(page);
  }
  const metadata = {
    dossier: { ...dossier, documents: undefined },
    documents: dossier.documents.map((entry, i) => ({
      ordinal: entry.ordinal,
      ...documentMetadata(contents[i]?.document),
    })),
  };
  const json = JSON.stringify(metadata, null, 2);
  await pdf.attach(Buffer.from(json, 'utf8'), 'metadata.json', {
    mimeType: 'application/json',
    description: 'Dossier and document metadata (NĐ 30/2020 Phụ lục VI)',
  });
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n${toXml('HoSo', JSON.parse(json))}\n`;
  await pdf.attach(Buffer.from(xml, 'utf8'), 'metadata.xml', {
    mimeType: 'application/xml',
    description: 'The same metadata as XML',
  });
  pdf.setTitle(dossier.title);
  pdf.setProducer('vanthu');
  return { bytes: Buffer.from(await pdf.save()), fileName: `${dossier.fileCode}.pdf` };
}

function documentMetadata(document: Document | undefined): Record<string, unknown> {
  if (!document) return {};
  const current = document.versions.find((v) => v.version === document.currentVersion);
  return {
    documentId: document.id,
    direction: document.direction,
    subject: document.subject,
    typeCode: document.typeCode,
    notation: document.registration?.notation ?? null,
    documentIdentifier: document.registration?.documentIdentifier ?? null,
    status: document.status,
    version: document.currentVersion,
    sha256: current?.sha256 ?? null,
    ...document.metadata,
  };
}
