// The edXML message of QCVN 102:2016/BTTTT as vanthu reads and writes it. Dates are kept as ISO
// `yyyy-MM-dd` and instants as ISO 8601 with +07:00; the builder writes the edXML forms
// (`yyyy/MM/dd`, `yyyy/MM/dd HH:mm:ss`) and the parser reads them back.

export const edxmlNamespace = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';
export const edxmlPrefix = 'edXML';

/** From, To (QCVN 102:2016 mục 1.1, 1.2). */
export type Organ = {
  organId: string;
  organizationInCharge?: string;
  organName?: string;
  organAdd?: string;
  email?: string;
  telephone?: string;
  fax?: string;
  website?: string;
};

export type ResponseFor = { organId: string; code: string; promulgationDate: string; documentId: string };

export type StaffInfo = { department?: string; staff?: string; mobile?: string; email?: string };

/** BussinessDocType: 0 văn bản mới, 1 thu hồi, 2 cập nhật, 3 thay thế. */
export type BusinessDocType = 0 | 1 | 2 | 3;

export type Business = {
  documentId?: string;
  businessDocType: BusinessDocType;
  businessDocReason?: string;
  paper?: string;
  staffInfo?: StaffInfo;
  /** ReceiverType 0: removed from the recipients, 1: added. */
  receivers: { organId: string; receiverType: 0 | 1 }[];
  replacements: { documentId: string; organIds: string[] }[];
};

export type TraceHeader = { organId?: string; timestamp: string };

export type MessageHeader = {
  from: Organ;
  to: Organ[];
  documentId: string;
  code: { codeNumber: string; codeNotation: string };
  promulgationInfo: { place?: string; promulgationDate: string };
  documentType: { type: string; typeDetail?: string; typeName?: string };
  subject: string;
  content?: string;
  signerInfo?: { competence?: string; position?: string; fullName?: string };
  dueDate?: string;
  toPlaces: string[];
  otherInfo?: {
    priority?: number;
    sphereOfPromulgation?: string;
    typerNotation?: string;
    promulgationAmount?: number;
    pageAmount?: number;
    direction?: boolean;
    appendixes: string[];
  };
  responseFor: ResponseFor[];
  steeringType?: string;
};

export type EdxmlAttachment = {
  /** Without the `cid:` prefix. */
  contentId: string;
  name: string;
  contentType: string;
  description?: string;
  /** The bytes as carried (base64-decoded); zipped when `zipped`. */
  content: Buffer;
};

export type EdxmlDocument = {
  header: MessageHeader;
  traceHeaders: TraceHeader[];
  business?: Business;
  attachments: EdxmlAttachment[];
};

/** Status codes of the status message (QĐ 28/2018/QĐ-TTg as the hubs implement it). */
export const statusCodes = {
  '01': 'Đã đến máy chủ đích',
  '02': 'Từ chối tiếp nhận',
  '03': 'Đã tiếp nhận, vào sổ',
  '04': 'Lãnh đạo đã phân công xử lý',
  '05': 'Chuyên viên đang giải quyết',
  '06': 'Hoàn thành',
  '13': 'Yêu cầu lấy lại (thu hồi)',
  '15': 'Đồng ý lấy lại, đồng ý cập nhật',
  '16': 'Từ chối lấy lại, từ chối cập nhật',
} as const;
export type StatusCode = keyof typeof statusCodes;
export const isStatusCode = (value: string): value is StatusCode => Object.hasOwn(statusCodes, value);

export type StatusMessage = {
  from: Organ;
  responseFor: ResponseFor;
  staffInfo?: StaffInfo;
  statusCode: StatusCode;
  description: string;
  timestamp: string;
};

/** One rule a message breaks. `error` is what the national hub refuses; `warning` is tolerated on receipt. */
export type ConformanceProblem = { rule: string; path: string; message: string; severity: 'error' | 'warning' };

/** Where the public builders disagree, each hub gets the form it accepts. */
export type EdxmlProfile = {
  /** The national hub's XmlSerializer wants `edXML:` on AttachmentEncoded too; EDX output leaves it unprefixed. */
  prefixAttachmentBlock: boolean;
  /** `non-office`: zip what is not pdf/doc/docx/xls/xlsx/zip, as the VXP EdXML library does. */
  zipAttachments: 'never' | 'non-office' | 'always';
  /** Genuine SDK output puts Bussiness before the TraceHeaders; hand-written samples after. */
  businessFirst: boolean;
};

export const nationalHubProfile: EdxmlProfile = {
  prefixAttachmentBlock: true,
  zipAttachments: 'never',
  businessFirst: true,
};
