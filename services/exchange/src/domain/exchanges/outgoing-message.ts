import { AppError } from '@vanthu/platform';
import type { DocumentInfo } from '../../clients/documents-client';
import { encodeForHub } from '../edxml/attachments';
import { edxmlTimestampAt, fromEdxmlTimestamp, parseDocumentId } from '../edxml/formats';
import type { EdxmlDocument, EdxmlProfile } from '../edxml/model';
import type { StreamedEdxmlDocument } from '../edxml/write-edxml';

// NĐ 30/2020 Phụ lục I.III.2 độ khẩn → edXML Priority (0 thường … 3 hỏa tốc).
const priorities: Record<string, number> = { normal: 0, urgent: 1, 'very-urgent': 2, immediate: 3 };

type Signer = { competence?: string; position?: string; fullName?: string };

/**
 * The edXML of an issued document, from documents' Phụ lục VI metadata and the issued PDF. The
 * DocumentId is the mã định danh văn bản documents assigned at registration; CodeNumber,
 * CodeNotation and PromulgationDate are read back from it, so they always agree. The trace
 * timestamp is the exchange's creation time, so rebuilding after a crash gives the same bytes.
 */
export function outgoingMessage(
  document: DocumentInfo,
  pdf: Buffer,
  input: { recipients: { organId: string; organName?: string }[]; createdAt: Date; profile: EdxmlProfile },
): EdxmlDocument {
  const { message, fileName } = outgoingHeader(document, input);
  const carried = encodeForHub({ name: fileName, contentType: 'application/pdf', content: pdf }, input.profile);
  return {
    ...message,
    attachments: [{ contentId: '1', name: fileName, contentType: carried.contentType, content: carried.content }],
  };
}

/** outgoingMessage with the PDF as a stream of its bytes, for writeEdxml: a message of any size, never held. */
export function outgoingStreamedMessage(
  document: DocumentInfo,
  pdf: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  input: { recipients: { organId: string; organName?: string }[]; createdAt: Date },
): StreamedEdxmlDocument {
  const { message, fileName } = outgoingHeader(document, input);
  return {
    ...message,
    attachments: [{ contentId: '1', name: fileName, contentType: 'application/pdf', source: pdf }],
  };
}

function outgoingHeader(
  document: DocumentInfo,
  input: { recipients: { organId: string; organName?: string }[]; createdAt: Date },
): { message: Omit<EdxmlDocument, 'attachments'> & { attachments: [] }; fileName: string } {
  if (document.status !== 'issued' || !document.registration) {
    throw new AppError('CONFLICT', `document ${document.id} is ${document.status}; only an issued document is sent`);
  }
  const parts = parseDocumentId(document.registration.documentIdentifier);
  if (!parts) {
    throw new AppError('UNPROCESSABLE', `document ${document.id} has no valid mã định danh văn bản`);
  }
  const metadata = document.metadata as {
    signer?: Signer;
    dueDate?: string;
    pageAmount?: number;
    issuedAmount?: number;
    description?: string;
  };
  const message: Omit<EdxmlDocument, 'attachments'> & { attachments: [] } = {
    header: {
      from: { organId: document.agencyCode },
      to: input.recipients,
      documentId: document.registration.documentIdentifier,
      code: { codeNumber: parts.codeNumber, codeNotation: parts.codeNotation },
      promulgationInfo: { promulgationDate: parts.date },
      // QCVN 102:2016 DocumentType.Type numbering has no authoritative public list (the samples disagree):
      // vanthu sends its own type code and name, which receivers read as text.
      documentType: { type: document.typeCode ?? 'CV', typeName: document.typeCode ?? 'Công văn' },
      subject: document.subject,
      toPlaces: [],
      otherInfo: {
        priority: priorities[document.urgency] ?? 0,
        ...(metadata.pageAmount ? { pageAmount: metadata.pageAmount } : {}),
        ...(metadata.issuedAmount !== undefined ? { promulgationAmount: metadata.issuedAmount } : {}),
        appendixes: [],
      },
      responseFor: [],
    },
    traceHeaders: [{ organId: document.agencyCode, timestamp: fromEdxmlTimestamp(edxmlTimestampAt(input.createdAt))! }],
    business: { businessDocType: 0, businessDocReason: 'Văn bản điện tử mới', receivers: [], replacements: [] },
    attachments: [],
  };
  if (document.description) message.header.content = document.description.slice(0, 500);
  if (metadata.signer) message.header.signerInfo = metadata.signer;
  if (metadata.dueDate) message.header.dueDate = metadata.dueDate;
  const fileName = `${parts.codeNumber}-${parts.codeNotation}.pdf`.replace(/[^\p{L}\p{N}._-]/gu, '-');
  return { message, fileName };
}
