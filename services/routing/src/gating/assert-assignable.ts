import { AppError, vietnamIsoDate } from '@vanthu/platform';
import type { Tx } from '@vanthu/platform';
import { assignabilityFacts, findGatingSetting } from '../repositories/gating-repository';

/**
 * From this date no electronic task goes to a person without an activated public-service certificate
 * (chữ ký số chuyên dùng công vụ), unless the head of the agency allowed it in writing
 * (docs/domain/directives.md, Đà Nẵng §1b). An agency may set its own date.
 */
export const defaultGatingDate = '2026-04-16';

export type AssignabilityInput = { agencyCode: string; userId: string; at: Date };

export type Assignability =
  | {
      assignable: true;
      because: 'before-gating-date' | 'active-certificate' | 'exception';
      gatingDate: string;
      exceptionId?: string;
    }
  | { assignable: false; gatingDate: string };

export async function gatingDateOf(tx: Tx, agencyCode: string): Promise<string> {
  return (await findGatingSetting(tx, agencyCode))?.gatingDate ?? defaultGatingDate;
}

/** Why a person can (or cannot) be given electronic work at `at`. */
export async function checkAssignable(tx: Tx, input: AssignabilityInput): Promise<Assignability> {
  // One statement: every task assignment asks this, and each round trip counts (bench/routing/results.md).
  const facts = await assignabilityFacts(tx, input.agencyCode, input.userId, input.at);
  const gatingDate = facts.gatingDate ?? defaultGatingDate;
  // The gating date is a Vietnamese civil date: it starts at 00:00 +07:00.
  if (vietnamIsoDate(input.at) < gatingDate) return { assignable: true, because: 'before-gating-date', gatingDate };
  if (facts.activeCertificate) return { assignable: true, because: 'active-certificate', gatingDate };
  if (facts.exceptionId) return { assignable: true, because: 'exception', gatingDate, exceptionId: facts.exceptionId };
  return { assignable: false, gatingDate };
}

/**
 * Throws (422, field `assignee`) naming the person when, on or after the agency's gating date, they have
 * no activated certificate and no written exception in force at `at`.
 */
export async function assertAssignable(tx: Tx, input: AssignabilityInput): Promise<void> {
  const verdict = await checkAssignable(tx, input);
  if (verdict.assignable) return;
  const message =
    `${input.userId} has no activated public-service certificate (chữ ký số chuyên dùng công vụ) and no written ` +
    `exception from the head of the agency; since ${verdict.gatingDate} no electronic task may be assigned to them`;
  throw new AppError('UNPROCESSABLE', message, { errors: [{ field: 'assignee', message }] });
}
