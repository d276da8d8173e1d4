import { roles } from '@vanthu/platform';
import type { ClientResponse } from '../../support/gateway-client';
import type { ContractChecker } from './contract-checker';

// The role matrix, generated from the contract tier instead of written per endpoint (issue 16 "Every endpoint
// attacked"). Every time an agency-A caller succeeds on an operation whose OpenAPI document declares 403, the same
// request (same body, same headers, same Idempotency-Key) is sent again
// - by each role the operation's `x-vanthu-roles` does not name, as a member of agency A who holds that role alone:
//   it must answer 403 problem+json (the route guard refuses before the handler runs);
// - by a member of agency A who holds no role and is neither the owner, the assignee nor a member of anything: 403,
//   or 404 for an object keyed by id that only its owner may see (a person's signing session), which tells even less.
// Nothing may change: the nearest read of what the write touched (the GET at its path or the nearest parent path,
// read by the first caller) answers the same before and after the refused replays. Idempotency keys are scoped to the
// caller, so no replay may return the first caller's stored result either. Operations open to every member declare
// `every-member` and are replayed by the member without roles only (their 403 is a relation's: the assignee, the
// holder); `openToEveryMember` in the tier lists them, so that opening or closing an operation is a visible change.

type Init = { body?: Buffer; contentType?: string; headers?: Record<string, string> };
export type Replay = (method: string, url: string, init: Init) => Promise<ClientResponse>;

/** The roles a person can hold (the service role is a service's, never a person's). */
export const personRoles = roles.filter((role) => role !== 'service');

export class RoleProbe {
  readonly findings: string[] = [];
  /** The operations whose success was replayed by the member without roles (for the closing assertion). */
  readonly probed = new Set<string>();
  /** The role-gated operations replayed by every role they do not declare. */
  readonly probedPerRole = new Set<string>();
  /** The writes whose nearest read was compared before and after the refused replays. */
  readonly readChecked = new Set<string>();
  replays = 0;

  constructor(
    private readonly checker: ContractChecker,
    private readonly asStranger: Replay,
    private readonly asRole: (role: string) => Replay,
    /** `METHOD /path` → why a success of that operation is not replayed (its 403 guards another variant). */
    private readonly exempt: Record<string, string>,
  ) {}

  async afterSuccess(
    method: string,
    url: string,
    init: Init,
    response: ClientResponse,
    asCaller: Replay,
  ): Promise<void> {
    if (response.status < 200 || response.status >= 300) return;
    const ref = this.checker.resolve(method, url);
    if (!this.checker.declaredStatuses(ref).includes(403) || this.exempt[ref.key]) return;
    const declared = this.checker.declaredRoles(ref);
    const wrong = Array.isArray(declared) ? personRoles.filter((role) => !declared.includes(role)) : [];
    this.probed.add(ref.key);
    const readUrl = method.toUpperCase() === 'GET' ? undefined : this.checker.readOf(url);
    const before = readUrl ? await asCaller('GET', readUrl, {}) : undefined;
    const callers: [string, Replay, boolean][] = [
      ['a member without roles', this.asStranger, true],
      ...wrong.map((role): [string, Replay, boolean] => [
        `a member with the role ${role} alone`,
        this.asRole(role),
        false,
      ]),
    ];
    for (const [who, replay, mayBeNotFound] of callers) {
      const answer = await replay(method, url, init);
      this.replays += 1;
      const type = answer.headers.get('content-type') ?? '';
      const refused = answer.status === 403 || (mayBeNotFound && answer.status === 404 && this.checker.takesUuids(ref));
      if (!refused)
        this.findings.push(
          `${ref.key}: ${who} got ${answer.status} for ${method} ${url} (expected 403${mayBeNotFound ? ', or 404 for an object keyed by id' : ''})`,
        );
      else if (!type.startsWith('application/problem+json'))
        this.findings.push(`${ref.key}: ${who} was refused with ${type || 'no content type'} instead of problem+json`);
    }
    if (wrong.length > 0) this.probedPerRole.add(ref.key);
    // A read that finds nothing to show (an error) cannot show a change; only a successful one is compared.
    if (readUrl && before && before.status < 300) {
      const after = await asCaller('GET', readUrl, {});
      if (after.status !== before.status || !after.raw.equals(before.raw))
        this.findings.push(
          `${ref.key}: GET ${readUrl} changed while the replays were refused (${before.status} → ${after.status})`,
        );
      else this.readChecked.add(ref.key);
    }
  }
}
