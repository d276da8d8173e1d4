import type { ClientResponse } from '../../support/gateway-client';
import type { ContractChecker } from './contract-checker';

// The role matrix, generated from the contract tier instead of written per endpoint (issue 16 "Every endpoint
// attacked"). Every time an agency-A caller succeeds on an operation whose OpenAPI document declares 403, the same
// request (same body, same headers, same Idempotency-Key) is sent again by a member of agency A who holds no role
// and is neither the owner, the assignee nor a member of anything: it must answer 403 problem+json. Because the
// replay answers 403, its transaction never ran, so nothing changed; and because idempotency keys are scoped to
// the caller, the stranger's copy of the key must not replay the first caller's stored result. Operations that
// declare no 403 are open to every member of the agency; `openToEveryMember` in the tier lists them, so that
// opening or closing an operation to roles is a visible change of the matrix.

export type Replay = (
  method: string,
  url: string,
  init: { body?: Buffer; contentType?: string; headers?: Record<string, string> },
) => Promise<ClientResponse>;

export class RoleProbe {
  readonly findings: string[] = [];
  /** The operations whose success was replayed by the stranger (for the closing assertion). */
  readonly probed = new Set<string>();

  constructor(
    private readonly checker: ContractChecker,
    private readonly asStranger: Replay,
    /** `METHOD /path` → why a success of that operation is not replayed (its 403 guards another variant). */
    private readonly exempt: Record<string, string>,
  ) {}

  async afterSuccess(
    method: string,
    url: string,
    init: { body?: Buffer; contentType?: string; headers?: Record<string, string> },
    response: ClientResponse,
  ): Promise<void> {
    if (response.status < 200 || response.status >= 300) return;
    const ref = this.checker.resolve(method, url);
    if (!this.checker.declaredStatuses(ref).includes(403) || this.exempt[ref.key]) return;
    this.probed.add(ref.key);
    const replay = await this.asStranger(method, url, init);
    const type = replay.headers.get('content-type') ?? '';
    // An object that only its owner may see (a person's signing session) is "not found" to anyone else, which
    // tells even less than 403; both refuse without changing anything.
    const refused = replay.status === 403 || (replay.status === 404 && this.checker.takesUuids(ref));
    if (!refused)
      this.findings.push(
        `${ref.key}: a member without roles got ${replay.status} for ${method} ${url} (expected 403, or 404 for an object keyed by id)`,
      );
    else if (!type.startsWith('application/problem+json'))
      this.findings.push(`${ref.key}: 403 answered with ${type || 'no content type'} instead of problem+json`);
  }
}
