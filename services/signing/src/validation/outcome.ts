import type { Check, Indication, MainIndication, SubIndication } from './report';

export const rank: Record<MainIndication, number> = { TOTAL_PASSED: 0, INDETERMINATE: 1, TOTAL_FAILED: 2 };

export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/** The checks of one signature and its indication: the worst failure found so far wins. */
export class Outcome {
  indication: Indication = { indication: 'TOTAL_PASSED', subIndication: null };
  readonly reasons: string[] = [];
  readonly checks: Check[] = [];
  check(name: string, passed: boolean, detail: string): boolean {
    this.checks.push({ name, passed, detail });
    return passed;
  }
  fail(indication: MainIndication, sub: SubIndication, reason: string): void {
    this.reasons.push(reason);
    if (rank[indication] > rank[this.indication.indication]) this.indication = { indication, subIndication: sub };
  }
}
