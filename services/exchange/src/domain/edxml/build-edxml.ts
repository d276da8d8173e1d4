import { DOMImplementation, XMLSerializer } from '@xmldom/xmldom';
import type { Document as XmlDocument, Element as XmlElement } from '@xmldom/xmldom';
import { AppError } from '@vanthu/platform';
import { toEdxmlDate, toEdxmlTimestamp } from './formats';
import { edxmlNamespace, edxmlPrefix, nationalHubProfile } from './model';
import type { ConformanceProblem, EdxmlDocument, EdxmlProfile, Organ, StaffInfo, StatusMessage } from './model';
import { checkEdxmlDocument, checkStatusMessage } from './rules';

// Builds edXML as the national hub (VDXP) accepts it: root `edXML` in the QCVN namespace as the
// default namespace, and every element inside the envelope written with the literal `edXML:`
// prefix, because the hub's XmlSerializer refuses children that lack it even when they are
// namespace-equal. UTF-8 with no BOM, base64 on one line.

class XmlWriter {
  readonly document: XmlDocument;

  constructor() {
    this.document = new DOMImplementation().createDocument(edxmlNamespace, 'edXML', null);
  }

  get root(): XmlElement {
    return this.document.documentElement!;
  }

  element(parent: XmlElement, name: string, prefixed = true): XmlElement {
    const child = this.document.createElementNS(edxmlNamespace, prefixed ? `${edxmlPrefix}:${name}` : name);
    parent.appendChild(child);
    return child;
  }

  /** A leaf; skipped when the value is absent (optional fields are omitted, never written empty). */
  text(parent: XmlElement, name: string, value: string | number | boolean | undefined, prefixed = true): void {
    if (value === undefined) return;
    const child = this.element(parent, name, prefixed);
    child.appendChild(this.document.createTextNode(String(value)));
  }

  serialize(): Buffer {
    // XML 1.0 §2.11 keeps U+0085, U+2028 and U+2029 as ordinary characters, but xmldom (like XML 1.1 parsers, and
    // U+2029 besides) turns them and CR into a line feed when it reads them back; as character references they
    // survive every parser.
    const xml = new XMLSerializer()
      .serializeToString(this.document)
      .replace(/[\r\u0085\u2028\u2029]/g, (c) => `&#${c.charCodeAt(0)};`);
    return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`, 'utf8');
  }
}

function refuse(what: string, problems: ConformanceProblem[]): never {
  throw new AppError('VALIDATION_FAILED', `the ${what} breaks QCVN 102:2016 rules`, {
    errors: problems.map((p) => ({ field: p.path, message: `${p.rule}: ${p.message}` })),
  });
}

function writeOrgan(w: XmlWriter, parent: XmlElement, name: string, organ: Organ): void {
  const element = w.element(parent, name);
  w.text(element, 'OrganId', organ.organId);
  w.text(element, 'OrganizationInCharge', organ.organizationInCharge);
  w.text(element, 'OrganName', organ.organName);
  w.text(element, 'OrganAdd', organ.organAdd);
  w.text(element, 'Email', organ.email);
  w.text(element, 'Telephone', organ.telephone);
  w.text(element, 'Fax', organ.fax);
  w.text(element, 'Website', organ.website);
}

function writeStaff(w: XmlWriter, parent: XmlElement, staff: StaffInfo | undefined): void {
  if (!staff) return;
  const element = w.element(parent, 'StaffInfo');
  w.text(element, 'Department', staff.department);
  w.text(element, 'Staff', staff.staff);
  w.text(element, 'Mobile', staff.mobile);
  w.text(element, 'Email', staff.email);
}

function envelope(w: XmlWriter): XmlElement {
  const element = w.element(w.root, 'edXMLEnvelope');
  element.setAttributeNS('http://www.w3.org/2000/xmlns/', `xmlns:${edxmlPrefix}`, edxmlNamespace);
  return element;
}

/** An edXML document message; refuses (400 with every broken rule) a message the hub would refuse. */
export function buildEdxml(message: EdxmlDocument, profile: EdxmlProfile = nationalHubProfile): Buffer {
  const problems = checkEdxmlDocument(message).filter((p) => p.severity === 'error');
  if (problems.length > 0) refuse('edXML message', problems);
  const { header } = message;
  const w = new XmlWriter();
  const env = envelope(w);
  const head = w.element(env, 'edXMLHeader');
  const mh = w.element(head, 'MessageHeader');
  writeOrgan(w, mh, 'From', header.from);
  for (const to of header.to) writeOrgan(w, mh, 'To', to);
  w.text(mh, 'DocumentId', header.documentId);
  const code = w.element(mh, 'Code');
  w.text(code, 'CodeNumber', header.code.codeNumber);
  w.text(code, 'CodeNotation', header.code.codeNotation);
  const promulgation = w.element(mh, 'PromulgationInfo');
  w.text(promulgation, 'Place', header.promulgationInfo.place);
  w.text(promulgation, 'PromulgationDate', toEdxmlDate(header.promulgationInfo.promulgationDate));
  const type = w.element(mh, 'DocumentType');
  w.text(type, 'Type', header.documentType.type);
  w.text(type, 'TypeDetail', header.documentType.typeDetail);
  w.text(type, 'TypeName', header.documentType.typeName);
  w.text(mh, 'Subject', header.subject);
  w.text(mh, 'Content', header.content);
  if (header.signerInfo) {
    const signer = w.element(mh, 'SignerInfo');
    w.text(signer, 'Competence', header.signerInfo.competence);
    w.text(signer, 'Position', header.signerInfo.position);
    w.text(signer, 'FullName', header.signerInfo.fullName);
  }
  w.text(mh, 'DueDate', header.dueDate === undefined ? undefined : toEdxmlDate(header.dueDate));
  if (header.otherInfo) {
    const other = w.element(mh, 'OtherInfo');
    w.text(other, 'Priority', header.otherInfo.priority);
    w.text(other, 'SphereOfPromulgation', header.otherInfo.sphereOfPromulgation);
    w.text(other, 'TyperNotation', header.otherInfo.typerNotation);
    w.text(other, 'PromulgationAmount', header.otherInfo.promulgationAmount);
    w.text(other, 'PageAmount', header.otherInfo.pageAmount);
    w.text(other, 'Direction', header.otherInfo.direction);
    if (header.otherInfo.appendixes.length > 0) {
      const appendixes = w.element(other, 'Appendixes');
      for (const appendix of header.otherInfo.appendixes) w.text(appendixes, 'Appendix', appendix);
    }
  }
  for (const response of header.responseFor) {
    const element = w.element(mh, 'ResponseFor');
    w.text(element, 'OrganId', response.organId);
    w.text(element, 'Code', response.code);
    w.text(element, 'PromulgationDate', toEdxmlDate(response.promulgationDate));
    w.text(element, 'DocumentId', response.documentId);
  }
  w.text(mh, 'SteeringType', header.steeringType);
  if (header.toPlaces.length > 0) {
    const places = w.element(mh, 'ToPlaces');
    for (const place of header.toPlaces) w.text(places, 'Place', place);
  }

  const traceList = w.element(head, 'TraceHeaderList');
  const writeTraces = (): void => {
    for (const trace of message.traceHeaders) {
      const element = w.element(traceList, 'TraceHeader');
      w.text(element, 'OrganId', trace.organId);
      w.text(element, 'Timestamp', toEdxmlTimestamp(trace.timestamp));
    }
  };
  const writeBusiness = (): void => {
    const business = message.business;
    if (!business) return;
    const element = w.element(traceList, 'Bussiness');
    w.text(element, 'DocumentId', business.documentId);
    w.text(element, 'BussinessDocType', business.businessDocType);
    w.text(element, 'BussinessDocReason', business.businessDocReason);
    w.text(element, 'Paper', business.paper);
    writeStaff(w, element, business.staffInfo);
    if (business.receivers.length > 0) {
      const list = w.element(w.element(element, 'BussinessDocumentInfo'), 'ReceiverList');
      for (const receiver of business.receivers) {
        const r = w.element(list, 'Receiver');
        w.text(r, 'OrganId', receiver.organId);
        w.text(r, 'ReceiverType', receiver.receiverType);
      }
    }
    if (business.replacements.length > 0) {
      const list = w.element(element, 'ReplacementInfoList');
      for (const replacement of business.replacements) {
        const r = w.element(list, 'ReplacementInfo');
        w.text(r, 'DocumentId', replacement.documentId);
        const organs = w.element(r, 'OrganIdList');
        for (const organId of replacement.organIds) w.text(organs, 'OrganId', organId);
      }
    }
  };
  if (profile.businessFirst) {
    writeBusiness();
    writeTraces();
  } else {
    writeTraces();
    writeBusiness();
  }

  const body = w.element(env, 'edXMLBody');
  const manifest = w.element(body, 'edXMLManifest');
  manifest.setAttribute('version', '1.0');
  for (const attachment of message.attachments) {
    const reference = w.element(manifest, 'Reference');
    w.text(reference, 'ContentId', `cid:${attachment.contentId}`);
    w.text(reference, 'ContentType', attachment.contentType);
    w.text(reference, 'Description', attachment.description);
    w.text(reference, 'AttachmentName', attachment.name);
  }
  if (message.attachments.length > 0) {
    const prefixed = profile.prefixAttachmentBlock;
    const encoded = w.element(w.root, 'AttachmentEncoded', prefixed);
    for (const attachment of message.attachments) {
      const element = w.element(encoded, 'Attachment', prefixed);
      w.text(element, 'ContentId', `cid:${attachment.contentId}`, prefixed);
      w.text(element, 'AttachmentName', attachment.name, prefixed);
      w.text(element, 'Description', attachment.description, prefixed);
      w.text(element, 'ContentType', attachment.contentType, prefixed);
      w.text(element, 'ContentTransferEncoded', attachment.content.toString('base64'), true);
    }
  }
  return w.serialize();
}

/** A status message (no body, no signature), as the VNPT SDK writes it: a MessageHeader with StatusCode. */
export function buildStatusMessage(status: StatusMessage): Buffer {
  const problems = checkStatusMessage(status).filter((p) => p.severity === 'error');
  if (problems.length > 0) refuse('status message', problems);
  const w = new XmlWriter();
  const env = envelope(w);
  const mh = w.element(w.element(env, 'edXMLHeader'), 'MessageHeader');
  writeOrgan(w, mh, 'From', status.from);
  const response = w.element(mh, 'ResponseFor');
  w.text(response, 'OrganId', status.responseFor.organId);
  w.text(response, 'Code', status.responseFor.code);
  w.text(response, 'PromulgationDate', toEdxmlDate(status.responseFor.promulgationDate));
  w.text(response, 'DocumentId', status.responseFor.documentId);
  writeStaff(w, mh, status.staffInfo);
  w.text(mh, 'StatusCode', status.statusCode);
  w.text(mh, 'Description', status.description);
  w.text(mh, 'Timestamp', toEdxmlTimestamp(status.timestamp));
  return w.serialize();
}
