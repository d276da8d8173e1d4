import { formatDocumentId, parseDocumentId } from './formats';
import type { ConformanceProblem, EdxmlAttachment, EdxmlDocument, Organ, StatusMessage } from './model';

// The content rules of an edXML message, checked the same way when vanthu builds a message
// (it refuses to send one that breaks them) and when it parses one (it reports every problem).
// Lengths: NĐ 30/2020 Phụ lục VI (OrganId S13, CodeNumber S11, CodeNotation S30, OrganName S200,
// Subject S500, Position S100, FullName S50) and QCVN 102:2016 (Content 500, Place 150,
// Appendix 250, AttachmentName 200).

export const limits = {
  organId: 13,
  organName: 200,
  codeNumber: 11,
  codeNotation: 30,
  subject: 500,
  content: 500,
  toPlace: 150,
  appendix: 250,
  attachmentName: 200,
  position: 100,
  fullName: 50,
  statusDescription: 1000,
} as const;

// XML 1.0 §2.2: characters a document may contain.
// eslint-disable-next-line no-control-regex
const forbiddenCharacters = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDFFF]/u;
const validSurrogates = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;

type Report = (rule: string, path: string, message: string, severity?: 'error' | 'warning') => void;

function reporter(problems: ConformanceProblem[]): Report {
  return (rule, path, message, severity = 'error') => problems.push({ rule, path, message, severity });
}

function checkText(report: Report, path: string, value: string | undefined, max: number, required = false): void {
  if (value === undefined || value === '') {
    if (required) report('edxml.required', path, `${path} is required`);
    return;
  }
  if ([...value].length > max)
    report('edxml.length', path, `${path} has ${[...value].length} characters; at most ${max}`);
  if (forbiddenCharacters.test(value.replace(validSurrogates, ''))) {
    report('edxml.characters', path, `${path} contains characters XML 1.0 does not allow`);
  }
}

function checkOrgan(report: Report, path: string, organ: Organ): void {
  checkText(report, `${path}.OrganId`, organ.organId, limits.organId, true);
  checkText(report, `${path}.OrganName`, organ.organName, limits.organName);
  for (const key of ['organizationInCharge', 'organAdd', 'email', 'telephone', 'fax', 'website'] as const) {
    checkText(report, `${path}.${key[0]!.toUpperCase()}${key.slice(1)}`, organ[key], 1000);
  }
}

/** Every content rule of an edXML document message. */
export function checkEdxmlDocument(
  document: Omit<EdxmlDocument, 'attachments'> & { attachments: Pick<EdxmlAttachment, 'name' | 'contentId'>[] },
): ConformanceProblem[] {
  const problems: ConformanceProblem[] = [];
  const report = reporter(problems);
  const { header } = document;
  checkOrgan(report, 'From', header.from);
  if (header.to.length === 0) report('edxml.to.required', 'To', 'at least one To is required');
  const seen = new Set<string>();
  header.to.forEach((organ, index) => {
    checkOrgan(report, `To[${index}]`, organ);
    if (seen.has(organ.organId)) {
      report('edxml.to.unique', `To[${index}].OrganId`, `To.OrganId ${organ.organId} appears more than once`);
    }
    seen.add(organ.organId);
  });
  checkText(report, 'Code.CodeNumber', header.code.codeNumber, limits.codeNumber, true);
  checkText(report, 'Code.CodeNotation', header.code.codeNotation, limits.codeNotation, true);
  checkText(report, 'PromulgationInfo.Place', header.promulgationInfo.place, 200);
  checkText(report, 'DocumentType.Type', header.documentType.type, 10, true);
  checkText(report, 'DocumentType.TypeName', header.documentType.typeName, 100);
  checkText(report, 'Subject', header.subject, limits.subject, true);
  checkText(report, 'Content', header.content, limits.content);
  checkText(report, 'SignerInfo.Competence', header.signerInfo?.competence, 100);
  checkText(report, 'SignerInfo.Position', header.signerInfo?.position, limits.position);
  checkText(report, 'SignerInfo.FullName', header.signerInfo?.fullName, limits.fullName);
  header.toPlaces.forEach((place, index) => checkText(report, `ToPlaces.Place[${index}]`, place, limits.toPlace));
  header.otherInfo?.appendixes.forEach((appendix, index) =>
    checkText(report, `OtherInfo.Appendixes.Appendix[${index}]`, appendix, limits.appendix),
  );
  checkText(report, 'OtherInfo.SphereOfPromulgation', header.otherInfo?.sphereOfPromulgation, 500);
  checkText(report, 'OtherInfo.TyperNotation', header.otherInfo?.typerNotation, 100);
  const priority = header.otherInfo?.priority;
  if (priority !== undefined && !(Number.isInteger(priority) && priority >= 0 && priority <= 4)) {
    report('edxml.priority', 'OtherInfo.Priority', 'Priority is 0 (thường) to 4 (hỏa tốc hẹn giờ)');
  }

  // The DocumentId names the issuer, the promulgation date and the số/ký hiệu of the same message.
  const parts = parseDocumentId(header.documentId);
  if (!parts) {
    report(
      'edxml.document-id.format',
      'DocumentId',
      `DocumentId "${header.documentId}" is not {OrganId},{yyyy/MM/dd},{số}/{ký hiệu} with a real date`,
    );
  } else if (
    header.code.codeNumber &&
    header.code.codeNotation &&
    header.promulgationInfo.promulgationDate &&
    header.documentId !==
      formatDocumentId({
        organId: header.from.organId,
        date: header.promulgationInfo.promulgationDate,
        codeNumber: header.code.codeNumber,
        codeNotation: header.code.codeNotation,
      })
  ) {
    report(
      'edxml.document-id.mismatch',
      'DocumentId',
      `DocumentId "${header.documentId}" does not match From.OrganId, PromulgationDate and Code`,
    );
  }
  header.responseFor.forEach((response, index) => {
    if (!parseDocumentId(response.documentId)) {
      report('edxml.document-id.format', `ResponseFor[${index}].DocumentId`, 'ResponseFor.DocumentId is malformed');
    }
  });

  const business = document.business;
  if (business && business.businessDocType !== 0) {
    // A recall points at the original through ResponseFor; an update or replacement names it in Bussiness.DocumentId.
    if (business.businessDocType === 1 && header.responseFor.length === 0 && !business.documentId) {
      report('edxml.business.target', 'TraceHeaderList.Bussiness', 'a recall must name the document it recalls');
    }
    if (business.businessDocType !== 1 && !business.documentId) {
      report(
        'edxml.business.target',
        'TraceHeaderList.Bussiness.DocumentId',
        'an update or replacement names its document',
      );
    }
    checkText(report, 'TraceHeaderList.Bussiness.BussinessDocReason', business.businessDocReason, 1000, true);
  }
  if (business?.documentId && !parseDocumentId(business.documentId)) {
    report(
      'edxml.document-id.format',
      'TraceHeaderList.Bussiness.DocumentId',
      `Bussiness.DocumentId "${business.documentId}" is malformed or has an impossible date`,
      business.businessDocType === 0 ? 'warning' : 'error',
    );
  }

  const contentIds = new Set<string>();
  document.attachments.forEach((attachment, index) => {
    checkText(report, `Attachment[${index}].AttachmentName`, attachment.name, limits.attachmentName, true);
    checkText(report, `Attachment[${index}].ContentId`, attachment.contentId, 200, true);
    if (contentIds.has(attachment.contentId)) {
      report('edxml.attachment.content-id', `Attachment[${index}].ContentId`, 'ContentId appears more than once');
    }
    contentIds.add(attachment.contentId);
  });
  return problems;
}

/** Every content rule of a status message. */
export function checkStatusMessage(status: StatusMessage): ConformanceProblem[] {
  const problems: ConformanceProblem[] = [];
  const report = reporter(problems);
  checkOrgan(report, 'From', status.from);
  checkText(report, 'ResponseFor.OrganId', status.responseFor.organId, limits.organId, true);
  if (!parseDocumentId(status.responseFor.documentId)) {
    report('edxml.document-id.format', 'ResponseFor.DocumentId', 'ResponseFor.DocumentId is malformed');
  }
  checkText(report, 'Description', status.description, limits.statusDescription, status.statusCode === '02');
  return problems;
}
