import { randomUUID } from 'node:crypto';
import type { ClientResponse } from '../../support/gateway-client';
import type { ContractChecker, OperationRef } from './contract-checker';

// Hostile bodies, generated from the contract tier instead of written per endpoint (issue 16 "Every endpoint
// attacked"). Every JSON request that succeeded in the tier is a seed: a body the operation accepts. After the
// tier, each seed is sent again with one field at a time made hostile (NUL bytes, lone surrogates, a string of
// 200,000 characters, wrong types, deep nesting) and as malformed JSON, with path ids replaced by fresh ones so
// that no earlier object is touched. Whatever the answer, it must be declared for the operation, carry
// problem+json when it is an error, and never be a 5xx; the services must still be healthy afterwards.

type Init = { body?: Buffer; contentType?: string; headers?: Record<string, string> };
export type Send = (method: string, url: string, init: Init) => Promise<ClientResponse>;
type Seed = {
  ref: OperationRef;
  method: string;
  url: string;
  body: unknown;
  headers: Record<string, string>;
  send: Send;
};
export type Hostile = { label: string; raw: Buffer };

const uuidInPath = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

/** Every path to a leaf of a JSON value, as keys and indexes. */
function leaves(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => leaves(item, [...at, i]));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, item]) => leaves(item, [...at, key]));
  return at.length > 0 ? [at] : [];
}

function replaced(value: unknown, at: (string | number)[], next: unknown): unknown {
  if (at.length === 0) return next;
  const [head, ...rest] = at;
  if (Array.isArray(value)) return value.map((item, i) => (i === head ? replaced(item, rest, next) : item));
  const record = value as Record<string, unknown>;
  return { ...record, [head as string]: replaced(record[head as string], rest, next) };
}

function nested(depth: number): unknown {
  let value: unknown = 'đáy';
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value;
}

/** The hostile variants of one accepted body: whole-body ones, then one field at a time. */
export function hostileVariants(body: unknown): Hostile[] {
  const variants: Hostile[] = [
    { label: 'truncated JSON', raw: json(body).subarray(0, Math.max(1, json(body).length - 1)) },
    { label: 'a JSON array instead of an object', raw: json([body]) },
    { label: 'JSON null', raw: Buffer.from('null') },
    {
      label: 'invalid UTF-8 bytes',
      raw: Buffer.concat([Buffer.from('{"x":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]),
    },
    { label: 'nesting 2,000 deep in an unknown property', raw: json({ ...(body as object), deep: nested(2000) }) },
  ];
  for (const at of leaves(body).slice(0, 12)) {
    const field = at.join('.');
    const original = at.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], body);
    const hostile: [string, unknown][] = [
      ['a NUL byte', typeof original === 'string' ? `${original}\u0000` : '\u0000'],
      ['a lone surrogate', '\ud800'],
      ['200,000 characters', 'đ'.repeat(200_000)],
      ['an object', { $gt: '' }],
      [typeof original === 'number' ? 'a string' : 'a number', typeof original === 'number' ? '1' : 1e308],
    ];
    for (const [what, next] of hostile)
      variants.push({ label: `${field} as ${what}`, raw: json(replaced(body, at, next)) });
  }
  return variants;
}

export class HostileBodies {
  private readonly seeds = new Map<string, Seed>();
  readonly findings: string[] = [];
  sent = 0;

  constructor(private readonly checker: ContractChecker) {}

  /** Keeps the first accepted JSON body of each operation (and the caller who sent it) as a seed. */
  record(method: string, url: string, init: Init, response: ClientResponse, send: Send): void {
    if (method.toUpperCase() === 'GET' || response.status >= 300 || init.contentType !== 'application/json') return;
    if (!init.body) return;
    const ref = this.checker.resolve(method, url);
    if (this.seeds.has(ref.key)) return;
    const headers = { ...(init.headers ?? {}) };
    delete headers['idempotency-key'];
    this.seeds.set(ref.key, { ref, method, url, body: JSON.parse(init.body.toString('utf8')), headers, send });
  }

  operations(): string[] {
    return [...this.seeds.keys()];
  }

  async attack(): Promise<void> {
    for (const seed of this.seeds.values()) {
      const url = seed.url.replace(uuidInPath, () => randomUUID());
      for (const variant of hostileVariants(seed.body)) {
        this.sent += 1;
        const response = await seed.send(seed.method, url, {
          body: variant.raw,
          contentType: 'application/json',
          headers: { ...seed.headers, 'idempotency-key': `hostile-${randomUUID()}` },
        });
        const where = `${seed.ref.key} with ${variant.label}`;
        if (response.status >= 500) {
          this.findings.push(`${where}: ${response.status} ${response.raw.toString('utf8').slice(0, 160)}`);
          continue;
        }
        const type = response.headers.get('content-type') ?? '';
        if (response.status >= 400 && !type.startsWith('application/problem+json'))
          this.findings.push(`${where}: ${response.status} with ${type || 'no content type'}`);
        try {
          this.checker.check(seed.method, url, response);
        } catch (error) {
          this.findings.push(`${where}: ${(error as Error).message}`);
        }
      }
    }
  }
}
