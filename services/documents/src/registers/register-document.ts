import { AppError, createEvent, requireRole } from '@vanthu/platform';
import type { Identity, Mutation, Tx } from '@vanthu/platform';
import { documentRegisteredV1 } from '@vanthu/contracts';
import type { DocumentRegisteredV1 } from '@vanthu/contracts';
import { insertRegistrationWithNextNumber, lockDocument } from '../repositories/documents-repository';
import type { LockedDocument } from '../repositories/documents-repository';
import { findIncomingDuplicates, findNumberingTarget } from '../repositories/registers-repository';
import type { NumberingTarget } from '../repositories/registers-repository';
import type { Document } from '../schemas/document';
import type { RegistrationRequest, RegistrationWarning } from '../schemas/register';
import type { DocumentsContext } from '../context';
import { findDocumentType } from '../rules/document-types';
import {
  buildDocumentIdentifier,
  fillNumber,
  followedByNumber,
  notationTemplate,
  prefixed,
  vietnamDate,
  vietnamIsoDate,
  withoutNumber,
} from '../rules/numbering';
import type { NumberedText } from '../rules/numbering';
import { foldForSearch } from '../rules/search-text';

export type RegisterDocumentInput = { documentId: string; request: RegistrationRequest };
export type RegistrationOutcome = { document: Document; warnings: RegistrationWarning[] };

/**
 * Everything about a registration that can be checked and written before its number is taken: the texts that contain
 * the số travel unfilled (the statement that takes the number fills them), and the metadata fields that hold it.
 */
type Prepared = {
  notation: NumberedText;
  documentIdentifier: NumberedText;
  metadata: Record<string, unknown>;
  numberFields: { formatted?: string; integer?: string };
  warnings: RegistrationWarning[];
  typeCode?: string;
};

/**
 * Enters a document in a register and gives it its number (NĐ 30/2020 Điều 15.3: numbers and
 * issue time are assigned by the system). The number is taken last, just before the rows that
 * use it, so the counter's lock is held as briefly as possible.
 */
export async function registerDocument(
  input: RegisterDocumentInput,
  ctx: DocumentsContext,
): Promise<Mutation<RegistrationOutcome>> {
  const { identity } = ctx;
  const { documentId, request } = input;
  requireRole(identity, 'clerk');
  // A burst waits in the service's bounded queue rather than for a pooled connection (503 beyond it).
  const { result, replayed } = await ctx.numbering.run(() =>
    ctx.runInTransaction(async (tx) => {
      const locked = await lockDocument(tx, identity.agencyCode, documentId);
      if (!locked) throw new AppError('NOT_FOUND', `document ${documentId} not found`);
      if (locked.status !== 'draft')
        throw new AppError('CONFLICT', `document ${documentId} is ${locked.status}; only a draft can be registered`);
      const target = await findNumberingTarget(
        tx,
        identity.agencyCode,
        request.registerId,
        request.unitCode ?? identity.unitCode,
      );
      if (!target) throw new AppError('NOT_FOUND', `register ${request.registerId} not found`);
      const { register } = target;
      if (locked.direction !== register.direction) {
        throw new AppError(
          'UNPROCESSABLE',
          `a ${locked.direction} document cannot go into the ${register.direction} register ${register.name}`,
          {
            errors: [{ field: 'body.registerId', message: `register is for ${register.direction} documents` }],
          },
        );
      }
      const typeCode = (request.typeCode ?? locked.typeCode)?.normalize('NFC');
      if (register.typeCodes && (!typeCode || !register.typeCodes.includes(typeCode))) {
        throw new AppError('UNPROCESSABLE', `register ${register.name} numbers only ${register.typeCodes.join(', ')}`, {
          errors: [{ field: 'body.registerId', message: 'register is for other document types' }],
        });
      }
      const now = ctx.clock();
      const today = vietnamDate(now);
      const prepared =
        register.direction === 'outgoing'
          ? prepareOutgoing(identity, locked, request, target, now)
          : await prepareIncoming(tx, identity, documentId, locked, now);
      const registeredType = prepared.typeCode ?? locked.typeCode;
      // The event as it will be published; the statement that takes the number fills its number, notation and
      // identifier (validated here with the first number of the series, the same shape).
      const data: DocumentRegisteredV1 = {
        documentId,
        agencyCode: identity.agencyCode,
        direction: locked.direction,
        registerId: register.id,
        year: today.year,
        number: 1,
        notation: fillNumber(prepared.notation, 1),
        documentIdentifier: fillNumber(prepared.documentIdentifier, 1),
        typeCode: registeredType,
        urgency: locked.document.urgency,
        registeredBy: identity.userId,
        registeredAt: now.toISOString(),
      };
      const event = createEvent(documentRegisteredV1, documentId, data, {
        source: ctx.source,
        requestId: ctx.requestId,
        agencyCode: identity.agencyCode,
      });
      // From this statement to the commit the register-year's counter row stays locked: nothing else runs between.
      const registered = await insertRegistrationWithNextNumber(tx, locked, {
        seriesKey: `register:${register.id}`,
        agencyCode: identity.agencyCode,
        registerId: register.id,
        registerName: register.name,
        direction: register.direction,
        year: today.year,
        notation: prepared.notation,
        documentIdentifier: prepared.documentIdentifier,
        registeredAt: now,
        registeredBy: identity.userId,
        metadata: prepared.metadata,
        numberFields: prepared.numberFields,
        typeCode: registeredType,
        searchText: followedByNumber(prepared.notation, foldForSearch),
        event: { definition: documentRegisteredV1, value: event, topicPrefix: ctx.topicPrefix },
      });
      // NĐ 30/2020 Điều 15.1: số + ký hiệu is unique within a year.
      if ('duplicateNotation' in registered)
        throw new AppError(
          'CONFLICT',
          `the number ${registered.duplicateNotation} already exists this year in another register; use one register per series`,
        );
      return { document: registered.document, warnings: prepared.warnings };
    }),
  );
  return { result, replayed };
}

/** Outgoing: ký hiệu `{số}/{type}-{agency}`, or `{số}/{agency}-{unit}` for công văn (Phụ lục I.II.3). */
function prepareOutgoing(
  identity: Identity,
  locked: LockedDocument,
  request: RegistrationRequest,
  target: NumberingTarget,
  now: Date,
): Prepared {
  const typeCode = request.typeCode ?? locked.typeCode ?? undefined;
  if (typeCode === undefined) {
    throw new AppError('VALIDATION_FAILED', 'an outgoing document needs a document type to be numbered', {
      errors: [{ field: 'body.typeCode', message: 'required for this document' }],
    });
  }
  const type = findDocumentType(typeCode);
  if (!type || type.kind !== 'administrative') {
    throw new AppError('INVALID_METADATA', `unknown document type ${typeCode}; see GET /v1/document-types`, {
      errors: [{ field: 'body.typeCode', message: 'unknown document type' }],
    });
  }
  const { organisation } = target;
  if (!organisation) {
    throw new AppError(
      'UNPROCESSABLE',
      `agency ${identity.agencyCode} is not in the organisation directory; import it (POST /v1/organisations/imports) so its abbreviation is known`,
    );
  }
  let unitAbbreviation: string | null = null;
  if (type.abbreviation === null) {
    const unitCode = request.unitCode ?? identity.unitCode;
    if (!unitCode) {
      throw new AppError(
        'VALIDATION_FAILED',
        `a ${type.name} is numbered {số}/{agency}-{unit}; name the drafting unit`,
        { errors: [{ field: 'body.unitCode', message: 'required for this type' }] },
      );
    }
    const { unit } = target;
    if (!unit)
      throw new AppError('UNPROCESSABLE', `unit ${unitCode} is not in the directory of ${identity.agencyCode}`, {
        errors: [{ field: 'body.unitCode', message: 'unknown unit' }],
      });
    unitAbbreviation = unit.abbreviation;
  }
  const notation = notationTemplate({
    typeAbbreviation: type.abbreviation,
    agencyAbbreviation: organisation.abbreviation,
    unitAbbreviation,
  });
  return {
    typeCode: type.code,
    notation,
    documentIdentifier: prefixed(buildDocumentIdentifier(identity.agencyCode, vietnamDate(now), ''), notation),
    // Phụ lục VI mục I: fields 4 (CodeNumber), 5 (CodeNotation), 6 (IssuedDate), 7 (OrganName) are filled by the system.
    metadata: {
      codeNotation: (notation[1] ?? '').slice(1),
      issuedDate: vietnamIsoDate(now),
      organName: organisation.name,
      typeName: type.name,
    },
    numberFields: { formatted: 'codeNumber' },
    warnings: [],
  };
}

/** Incoming: số đến from the register; the issuer's số/ký hiệu and identifier are checked for duplicates (Phụ lục VI mục III.1). */
async function prepareIncoming(
  tx: Tx,
  identity: Identity,
  documentId: string,
  locked: LockedDocument,
  now: Date,
): Promise<Prepared> {
  const metadata = locked.metadata as {
    codeNumber?: string;
    codeNotation?: string;
    issuedDate?: string;
    sender?: { organId: string };
  };
  const missing = (['codeNumber', 'codeNotation', 'issuedDate', 'sender'] as const).filter(
    (field) => metadata[field] === undefined,
  );
  if (missing.length > 0) {
    throw new AppError(
      'UNPROCESSABLE',
      `an incoming document needs the issuer’s ${missing.join(', ')} to be registered`,
      {
        errors: missing.map((field) => ({
          field: `metadata.${field}`,
          message: 'required to register an incoming document',
        })),
      },
    );
  }
  const notation = `${metadata.codeNumber}/${metadata.codeNotation}`.replace(/\s+/g, '');
  const [year = 0, month = 0, day = 0] = (metadata.issuedDate ?? '').split('-').map(Number);
  const issuer = metadata.sender?.organId ?? '';
  const documentIdentifier = buildDocumentIdentifier(issuer, { year, month, day }, notation);
  const duplicates = await findIncomingDuplicates(tx, identity.agencyCode, {
    documentId,
    documentIdentifier,
    notation,
    issuerCode: issuer,
  });
  const warnings: RegistrationWarning[] = duplicates.map((duplicate) => ({
    code: duplicate.sameIdentifier ? 'duplicate-identifier' : 'duplicate-number-notation-issuer',
    message: duplicate.sameIdentifier
      ? `document ${duplicate.documentId} was already registered with the identifier ${documentIdentifier}`
      : `document ${duplicate.documentId} was already registered with số/ký hiệu ${notation} from ${issuer}`,
    documentId: duplicate.documentId,
  }));
  return {
    notation: withoutNumber(notation),
    documentIdentifier: withoutNumber(documentIdentifier),
    // Phụ lục VI mục II: fields 12 (ArrivalDate) and 13 (ArrivalNumber) are filled by the system.
    metadata: { arrivalDate: vietnamIsoDate(now) },
    numberFields: { integer: 'arrivalNumber' },
    warnings,
  };
}
