import type { ClientResponse } from '../../support/gateway-client';
import type { ContractChecker } from './contract-checker';

// The Idempotency-Key matrix, generated from the contract tier (issue 16 "Tokens": an Idempotency-Key reused with
// another body is 422). Every write of an operation that declares the Idempotency-Key header is sent with a key (the
// tier's client adds one where the scenario did not). After a success, the same caller sends the same key twice
// more: with the same request, which must replay the stored answer (the same status, `Idempotent-Replayed: true`),
// and with one string of the JSON body changed, which must be refused (422 IDEMPOTENCY_KEY_REUSED, or 400 where
// the change breaks the schema) — never a success, which would mean the key was ignored or another request's
// answer was replayed.

type Init = { body?: Buffer; contentType?: string; headers?: Record<string, string> };
type Send = (method: string, url: string, init: Init) => Promise<ClientResponse>;

/** The body with its first string leaf changed, or undefined when it has none. */
function changedBody(value: unknown): unknown {
  if (typeof value === 'string') return `${value} (khác)`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const next = changedBody(value[i]);
      if (next !== undefined) return value.map((item, j) => (j === i ? next : item));
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const next = changedBody(item);
      if (next !== undefined) return { ...(value as object), [key]: next };
    }
  }
  return undefined;
}

export class IdempotencyProbe {
  readonly findings: string[] = [];
  /** Operations whose key was replayed with the same request, and those refused for another body. */
  readonly replayed = new Set<string>();
  readonly refusedOtherBody = new Set<string>();
  private readonly done = new Set<string>();

  constructor(private readonly checker: ContractChecker) {}

  takesKey(method: string, url: string): boolean {
    if (method.toUpperCase() === 'GET') return false;
    try {
      return this.checker.takesIdempotencyKey(this.checker.resolve(method, url));
    } catch {
      return false;
    }
  }

  /** Once per operation: the first success carrying a key is sent again with it. */
  async afterSuccess(method: string, url: string, init: Init, response: ClientResponse, send: Send): Promise<void> {
    const key = init.headers?.['idempotency-key'];
    if (!key || response.status < 200 || response.status >= 300) return;
    const ref = this.checker.resolve(method, url);
    if (this.done.has(ref.key)) return;
    this.done.add(ref.key);
    const again = await send(method, url, init);
    this.replayed.add(ref.key);
    if (again.status !== response.status || again.headers.get('idempotent-replayed') !== 'true')
      this.findings.push(
        `${ref.key}: the same request with the same key answered ${again.status} (replayed: ${again.headers.get('idempotent-replayed') ?? 'no'}) instead of replaying ${response.status}`,
      );
    if (init.contentType !== 'application/json' || !init.body) return;
    const changed = changedBody(JSON.parse(init.body.toString('utf8')));
    if (changed === undefined) return;
    const other = await send(method, url, { ...init, body: Buffer.from(JSON.stringify(changed)) });
    if (other.status === 422 || other.status === 400) this.refusedOtherBody.add(ref.key);
    else this.findings.push(`${ref.key}: another body with the same key answered ${other.status} (expected 422)`);
  }
}
