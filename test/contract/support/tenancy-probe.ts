import type { ClientResponse } from '../../support/gateway-client';
import type { ContractChecker } from './contract-checker';

// The tenancy matrix, generated from the contract tier instead of written per endpoint (issue 16 "Every endpoint
// attacked"): every time an agency-A caller succeeds, agency B (a caller holding clerk, specialist and admin, so that
// a role check cannot hide a tenancy hole) makes the same request.
// - A read keyed by UUIDs: B must get 404 (another agency's object is "not found", never "forbidden", so ids leak
//   nothing).
// - A list or search: B's answer must not contain any id A has been shown so far; where the operation takes an
//   `agency` query parameter, B also asks for agency A by name and must get a refusal or an answer with nothing of A
//   (neither A's code nor A's ids).
// - A read keyed by something else (an agency code, a user id, a year): B's answer must not be A's (the same bytes,
//   A's code or A's ids).
// - A write keyed by UUIDs (same body, same headers): B must be refused with 404 (or 403, where B lacks the role the
//   operation needs before it looks the object up), which means nothing changed.
// - Any other write whose body names an object A has been shown (a document id in `POST /v1/processes`, a register
//   id in a registration): B's replay must be refused (any 4xx), so that no agency acts on another's object by
//   naming it.
// New operations are covered as soon as the contract tier calls them.

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuidInText = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

function collectUuids(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    if (uuid.test(value)) into.add(value.toLowerCase());
  } else if (Array.isArray(value)) {
    for (const item of value) collectUuids(item, into);
  } else if (value && typeof value === 'object') {
    for (const item of Object.values(value)) collectUuids(item, into);
  }
}

type Init = { body?: Buffer; contentType?: string; headers?: Record<string, string> };
export type AsOtherAgency = (method: string, url: string, init?: Init) => Promise<ClientResponse>;

const isJson = (response: ClientResponse): boolean => /json/.test(response.headers.get('content-type') ?? '');

export class TenancyProbe {
  private readonly idsShownToA = new Set<string>();
  readonly findings: string[] = [];
  /** The operations probed for a 404, and the list operations probed for leaks (for the closing assertion). */
  readonly probedObjects = new Set<string>();
  readonly probedLists = new Set<string>();
  readonly probedByAgency = new Set<string>();
  readonly probedOtherKeys = new Set<string>();
  readonly probedWrites = new Set<string>();
  readonly probedNamedWrites = new Set<string>();

  constructor(
    private readonly checker: ContractChecker,
    private readonly asOtherAgency: AsOtherAgency,
    /** `METHOD /path` → why the operation is not held to the rule (shared reference data, or stated debt). */
    private readonly shared: Record<string, string>,
    /** Agency A's code (mã định danh), looked for in B's answers. */
    private readonly agencyA: string,
  ) {}

  /** True when B's answer shows something of agency A: A's ids, A's code, or A's very bytes. */
  private leaks(other: ClientResponse, mine?: ClientResponse): string | undefined {
    if (other.status < 200 || other.status >= 300) return undefined;
    if (mine && !isJson(mine) && mine.raw.length > 0 && mine.raw.equals(other.raw)) return 'the same bytes as A got';
    if (!isJson(other)) return undefined;
    const seen = new Set<string>();
    collectUuids(other.body, seen);
    const leaked = [...seen].filter((id) => this.idsShownToA.has(id));
    if (leaked.length > 0) return `agency A's ${leaked.join(', ')}`;
    if (mine && other.raw.toString('utf8').includes(this.agencyA)) return `agency A's code ${this.agencyA}`;
    return undefined;
  }

  async afterRead(url: string, response: ClientResponse): Promise<void> {
    if (response.status < 200 || response.status >= 300) return;
    const ref = this.checker.resolve('GET', url);
    if (this.shared[ref.key]) return;
    const ids = new Set<string>();
    if (isJson(response)) collectUuids(response.body, ids);
    if (this.checker.takesUuids(ref)) {
      this.probedObjects.add(ref.key);
      const other = await this.asOtherAgency('GET', url);
      if (other.status !== 404)
        this.findings.push(`${ref.key}: agency B got ${other.status} for agency A's ${url} (expected 404)`);
    } else if (!ref.path.includes('{')) {
      this.probedLists.add(ref.key);
      const leak = this.leaks(await this.asOtherAgency('GET', url));
      if (leak) this.findings.push(`${ref.key}: agency B's ${url} lists ${leak}`);
      if (this.checker.queryParameters(ref).includes('agency')) {
        this.probedByAgency.add(ref.key);
        const named = new URL(url, 'http://x');
        named.searchParams.set('agency', this.agencyA);
        const asked = `${named.pathname}${named.search}`;
        const byName = this.leaks(await this.asOtherAgency('GET', asked), response);
        if (byName) this.findings.push(`${ref.key}: agency B asking ${asked} got ${byName}`);
      }
    } else {
      this.probedOtherKeys.add(ref.key);
      const leak = this.leaks(await this.asOtherAgency('GET', url), response);
      if (leak) this.findings.push(`${ref.key}: agency B's ${url} answered ${leak}`);
    }
    for (const id of ids) this.idsShownToA.add(id);
  }

  async afterWrite(method: string, url: string, init: Init, response: ClientResponse): Promise<void> {
    if (method.toUpperCase() === 'GET' || response.status < 200 || response.status >= 300) return;
    await this.replayWrite(method, url, init);
    // What A's write answered (a new object's id) is A's from now on.
    if (isJson(response)) collectUuids(response.body, this.idsShownToA);
  }

  private async replayWrite(method: string, url: string, init: Init): Promise<void> {
    const ref = this.checker.resolve(method, url);
    if (this.shared[ref.key]) return;
    if (this.checker.takesUuids(ref)) {
      this.probedWrites.add(ref.key);
      const other = await this.asOtherAgency(method, url, init);
      if (other.status !== 404 && other.status !== 403)
        this.findings.push(
          `${ref.key}: agency B got ${other.status} for ${method} on agency A's ${url} (expected 404)`,
        );
      return;
    }
    const named = (init.body?.toString('utf8').match(uuidInText) ?? [])
      .map((id) => id.toLowerCase())
      .filter((id) => this.idsShownToA.has(id));
    if (named.length === 0) return;
    this.probedNamedWrites.add(ref.key);
    const other = await this.asOtherAgency(method, url, init);
    if (other.status >= 200 && other.status < 300)
      this.findings.push(
        `${ref.key}: agency B got ${other.status} for ${method} ${url} naming agency A's ${[...new Set(named)].join(', ')}`,
      );
  }
}
