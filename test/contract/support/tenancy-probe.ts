import type { ClientResponse } from '../../support/gateway-client';
import type { ContractChecker } from './contract-checker';

// The tenancy matrix, generated from the contract tier instead of written per endpoint (issue 16 "Every endpoint
// attacked"): every time an agency-A caller reads something successfully, agency B makes the same request. For an
// operation keyed by UUIDs B must get 404 (another agency's object is "not found", never "forbidden", so ids leak
// nothing); for a list or search B's answer must not contain any id A has been shown so far. New operations are
// covered as soon as the contract tier calls them.

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function collectUuids(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    if (uuid.test(value)) into.add(value.toLowerCase());
  } else if (Array.isArray(value)) {
    for (const item of value) collectUuids(item, into);
  } else if (value && typeof value === 'object') {
    for (const item of Object.values(value)) collectUuids(item, into);
  }
}

export class TenancyProbe {
  private readonly idsShownToA = new Set<string>();
  readonly findings: string[] = [];
  /** The operations probed for a 404, and the list operations probed for leaks (for the closing assertion). */
  readonly probedObjects = new Set<string>();
  readonly probedLists = new Set<string>();

  constructor(
    private readonly checker: ContractChecker,
    private readonly asOtherAgency: (url: string) => Promise<ClientResponse>,
    /** `METHOD /path` → why the operation is not held to the rule (shared reference data, or stated debt). */
    private readonly shared: Record<string, string>,
  ) {}

  async afterRead(url: string, response: ClientResponse): Promise<void> {
    if (response.status < 200 || response.status >= 300) return;
    const ref = this.checker.resolve('GET', url);
    if (this.shared[ref.key]) return;
    const ids = new Set<string>();
    collectUuids(response.body, ids);
    if (this.checker.takesUuids(ref)) {
      this.probedObjects.add(ref.key);
      const other = await this.asOtherAgency(url);
      if (other.status !== 404)
        this.findings.push(`${ref.key}: agency B got ${other.status} for agency A's ${url} (expected 404)`);
    } else if (!ref.path.includes('{')) {
      this.probedLists.add(ref.key);
      const other = await this.asOtherAgency(url);
      if (other.status >= 200 && other.status < 300) {
        const seen = new Set<string>();
        collectUuids(other.body, seen);
        const leaked = [...seen].filter((id) => this.idsShownToA.has(id));
        if (leaked.length > 0)
          this.findings.push(`${ref.key}: agency B's ${url} lists agency A's ${leaked.join(', ')}`);
      }
    }
    for (const id of ids) this.idsShownToA.add(id);
  }
}
