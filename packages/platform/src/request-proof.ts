import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from './errors';

// Request proofs (issue 16, "replayed identity assertions at a service directly, refused"). The identity assertion
// says who the caller is and is reused for a minute (one ES256 signature per token per minute, not per request); on
// its own it is worth nothing at a service. Each request also carries a proof: an HMAC-SHA256, under a key shared by
// exactly one calling process kind and one called service, over the caller, the called service, the time, a nonce,
// the method, the URL (path and query), the request id, the Idempotency-Key and the identity assertion itself. A
// captured assertion and proof are good for that one request only: another method, URL, request id, key or
// assertion fails the MAC, a proof older than `proofLifeMs` is refused, and a nonce is accepted once per process.
// One HMAC per hop costs microseconds, where an ES256 signature per request cost 2.1 ms per first hop.
//
// Keys. The gateway holds the master secret; service S's key is HMAC(master, "to S"); the key with which caller C
// proves to S is HMAC(key of S, "from C"). S derives every caller's key from its own; C is given only its keys
// towards each service; the gateway derives all. So a service knows which service called it (the proof's caller),
// a service can forge proofs only to itself, and no service can speak
// for the gateway (a service identity never comes with the gateway's proof). The body is not bound: the gateway streams it untouched, and hashing it first would buffer every
// upload; a captured proof is single-use and short-lived instead.

export const proofHeader = 'x-vanthu-proof';
/** The caller name the gateway proves under. */
export const gatewayCaller = 'gateway';
/** How long a proof is accepted after it was made (and how far ahead of this clock it may be). */
export const proofLifeMs = 30_000;
const aheadToleranceMs = 5_000;

export type ProvedRequest = {
  method: string;
  /** The URL as the service receives it: path and query. */
  url: string;
  requestId?: string | undefined;
  idempotencyKey?: string | undefined;
  assertion: string;
};

const mac = (key: Buffer, fields: string[]): Buffer => createHmac('sha256', key).update(fields.join('\n')).digest();
const fieldsOf = (caller: string, callee: string, at: string, nonce: string, request: ProvedRequest): string[] => [
  'v1',
  caller,
  callee,
  at,
  nonce,
  request.method.toUpperCase(),
  request.url,
  request.requestId ?? '',
  request.idempotencyKey ?? '',
  request.assertion,
];

/** The key of a called service, from the master secret (the gateway's). */
export const serviceProofKey = (master: Buffer, service: string): Buffer =>
  createHmac('sha256', master).update(`vanthu request proof to ${service}`).digest();
/** The key with which `caller` proves to the service whose key is `serviceKey`. */
export const callerProofKey = (serviceKey: Buffer, caller: string): Buffer =>
  createHmac('sha256', serviceKey).update(`from ${caller}`).digest();

/** What a service process is given: its own key, and its keys towards each service it may call. */
export type ServiceProofKeys = { service: string; key: string; outgoing: Record<string, string> };

/** The key file of one service (infra writes it; hex keys). */
export function serviceProofKeysFor(master: Buffer, service: string, services: readonly string[]): ServiceProofKeys {
  const outgoing: Record<string, string> = {};
  for (const callee of services)
    if (callee !== service) outgoing[callee] = callerProofKey(serviceProofKey(master, callee), service).toString('hex');
  return { service, key: serviceProofKey(master, service).toString('hex'), outgoing };
}

export type RequestProver = (callee: string, request: ProvedRequest) => string;

/** Makes proofs as `caller`, with a key per called service (a missing one is a configuration error). */
export function createRequestProver(
  caller: string,
  keyFor: (callee: string) => Buffer | undefined,
  now: () => number = Date.now,
): RequestProver {
  // A nonce is this process's random prefix and a counter: unique without a random draw per request.
  const prefix = randomBytes(9).toString('base64url');
  let counter = 0;
  const keys = new Map<string, Buffer>();
  return (callee, request) => {
    let key = keys.get(callee);
    if (!key) {
      key = keyFor(callee);
      if (!key) throw new Error(`no request proof key towards ${callee}`);
      keys.set(callee, key);
    }
    counter += 1;
    const at = String(now());
    const nonce = `${prefix}${counter.toString(36)}`;
    return `v1.${caller}.${at}.${nonce}.${mac(key, fieldsOf(caller, callee, at, nonce, request)).toString('base64url')}`;
  };
}

/** The gateway's prover: it derives every service's key from the master secret. */
export const createGatewayProver = (master: Buffer, now?: () => number): RequestProver =>
  createRequestProver(gatewayCaller, (callee) => callerProofKey(serviceProofKey(master, callee), gatewayCaller), now);

/** A service's prover towards the services it calls. */
export const createServiceProver = (keys: ServiceProofKeys): RequestProver =>
  createRequestProver(keys.service, (callee) =>
    keys.outgoing[callee] ? Buffer.from(keys.outgoing[callee], 'hex') : undefined,
  );

export type RequestProofVerifier = (proof: unknown, request: ProvedRequest) => string;

/**
 * Checks proofs made for `service` (whose key is `keyHex`); returns the caller's name. Refused (401): no proof, a
 * malformed one, a MAC that does not match this request, one older than `proofLifeMs` or too far ahead, and a nonce
 * seen before by this process.
 */
export function createRequestProofVerifier(
  service: string,
  keyHex: string,
  now = () => Date.now(),
): RequestProofVerifier {
  const serviceKey = Buffer.from(keyHex, 'hex');
  const callerKeys = new Map<string, Buffer>();
  // Nonces accepted within the last life, by expiry; swept as they expire (insertion order is expiry order).
  const seen = new Map<string, number>();
  const refuse = (why: string): never => {
    throw new AppError('UNAUTHENTICATED', `request proof refused: ${why}; requests must come through the gateway`);
  };
  return (proof, request) => {
    if (typeof proof !== 'string') return refuse('none sent');
    const parts = proof.split('.');
    if (parts.length !== 5 || parts[0] !== 'v1') return refuse('malformed');
    const [, caller, at, nonce, given] = parts as [string, string, string, string, string];
    if (!/^[a-z-]{1,40}$/.test(caller) || !/^[0-9]{13}$/.test(at) || !/^[A-Za-z0-9_-]{1,40}$/.test(nonce))
      return refuse('malformed');
    const clock = now();
    const madeAt = Number(at);
    if (madeAt < clock - proofLifeMs) return refuse('expired');
    if (madeAt > clock + aheadToleranceMs) return refuse('made in the future');
    // Kept only once a proof under it matched: names made up by a stranger are not remembered.
    const known = callerKeys.get(caller);
    const key = known ?? callerProofKey(serviceKey, caller);
    const expected = mac(key, fieldsOf(caller, service, at, nonce, request));
    const actual = Buffer.from(given, 'base64url');
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
      return refuse('it does not match this request');
    if (!known) callerKeys.set(caller, key);
    for (const [old, until] of seen) {
      if (until > clock) break;
      seen.delete(old);
    }
    const once = `${caller}.${nonce}`;
    if (seen.has(once)) return refuse('already used');
    seen.set(once, clock + proofLifeMs + aheadToleranceMs);
    return caller;
  };
}

// The keys of this process, when it runs as a service of the stack (service-runner.ts reads REQUEST_PROOF_KEYS_FILE):
// its app then requires a proof on every /v1 request, and its ServiceClients prove theirs. An app built without them
// (the http tests, which call it through inject) requires none.
let processKeys: ServiceProofKeys | undefined;
let processProver: RequestProver | undefined;

export function useProcessProofKeys(keys: ServiceProofKeys | undefined): void {
  processKeys = keys;
  processProver = keys ? createServiceProver(keys) : undefined;
}
export const processProofKeys = (): ServiceProofKeys | undefined => processKeys;
export const processRequestProver = (): RequestProver | undefined => processProver;
