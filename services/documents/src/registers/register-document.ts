import { AppError, enqueueEvent, requireRole } from '@vanthu/platform';
import type { Identity, Mutation, Tx } from '@vanthu/platform';
import { documentRegisteredV1 } from '@vanthu/contracts';
import type { DocumentRegisteredV1 } from '@vanthu/contracts';
import { insertRegistration, lockDocument } from '../repositories/documents-repository';
import type { LockedDocument } from '../repositories/documents-repository';
import { findIncomingDuplicates, findNumberingTarget, takeNextNumber } from '../repositories/registers-repository';
import type { NumberingTarget } from '../repositories/registers-repository';
import type { Document } from '../schemas/document';
import type { RegistrationRequest, RegistrationWarning } from '../schemas/register';
import type { DocumentsContext } from '../context';
import { findDocumentType } from '../rules/document-types';
import { buildDocumentIdentifier, buildNotation, formatNumber, vietnamDate, vietnamIsoDate } from '../rules/numbering';
import { foldForSearch } from '../rules/search-text';

export type RegisterDocumentInput = { documentId: string; request: RegistrationRequest };
export type RegistrationOutcome = { document: Document; warnings: RegistrationWarning[] };

type Numbered = {
  notation: string;
  documentIdentifier: string;
  metadata: Record<string, unknown>;
  warnings: RegistrationWarning[];
};
/** Everything about a registration that can be checked before a number is taken, and how to finish it once one is. */
type Prepared = { finish: (number: number) => Promise<Numbered>; typeCode?: string };

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
      // From here to the commit the register-year's counter row stays locked: keep it short.
      const number = await takeNextNumber(tx, `register:${register.id}`, today.year);
      const { notation, documentIdentifier, metadata, warnings } = await prepared.finish(number);
      const document = await insertRegistration(
        tx,
        locked,
        {
          agencyCode: identity.agencyCode,
          registerId: register.id,
          registerName: register.name,
          direction: register.direction,
          year: today.year,
          number,
          notation,
          documentIdentifier,
          registeredAt: now,
          registeredBy: identity.userId,
        },
        {
          metadata,
          typeCode: prepared.typeCode ?? locked.typeCode,
          searchText: foldForSearch(`${notation} ${formatNumber(number)}`),
        },
      ).catch((error: unknown) => {
        // NĐ 30/2020 Điều 15.1: số + ký hiệu is unique within a year.
        if ((error as { code?: string }).code === '23505')
          throw new AppError(
            'CONFLICT',
            `the number ${notation} already exists this year in another register; use one register per series`,
          );
        throw error;
      });
      const registration = document.registration;
      if (!registration) throw new Error('registration returned no registration');
      const event: DocumentRegisteredV1 = {
        documentId,
        agencyCode: identity.agencyCode,
        direction: document.direction,
        registerId: register.id,
        year: today.year,
        number,
        notation,
        documentIdentifier,
        typeCode: document.typeCode,
        urgency: document.urgency,
        registeredBy: identity.userId,
        registeredAt: registration.registeredAt,
      };
      await enqueueEvent(
        tx,
        documentRegisteredV1,
        documentId,
        event,
        { source: ctx.source, requestId: ctx.requestId, agencyCode: identity.agencyCode },
        ctx.topicPrefix,
      );
      return { document, warnings };
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
  return {
    typeCode: type.code,
    finish: async (number) => {
      const notation = buildNotation({
        number,
        typeAbbreviation: type.abbreviation,
        agencyAbbreviation: organisation.abbreviation,
        unitAbbreviation,
      });
      return {
        notation,
        documentIdentifier: buildDocumentIdentifier(identity.agencyCode, vietnamDate(now), notation),
        // Phụ lục VI mục I: fields 4 (CodeNumber), 5 (CodeNotation), 6 (IssuedDate), 7 (OrganName) are filled by the system.
        metadata: {
          codeNumber: formatNumber(number),
          codeNotation: notation.slice(notation.indexOf('/') + 1),
          issuedDate: vietnamIsoDate(now),
          organName: organisation.name,
          typeName: type.name,
        },
        warnings: [],
      };
    },
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
    // Phụ lục VI mục II: fields 12 (ArrivalDate) and 13 (ArrivalNumber) are filled by the system.
    finish: async (number) => ({
      notation,
      documentIdentifier,
      metadata: { arrivalDate: vietnamIsoDate(now), arrivalNumber: number },
      warnings,
    }),
  };
}
