import { randomBytes } from 'node:crypto';
import {
  createGatewayProver,
  createRequestProofVerifier,
  createServiceProver,
  proofLifeMs,
  serviceProofKeysFor,
} from '../src/request-proof';
import type { ProvedRequest } from '../src/request-proof';

// Request proofs: a proof is good for the one request it was made for, once, for a short time, at the one service it
// was made for, and names the caller whose key made it.
const services = ['documents', 'signing', 'routing'];
const master = randomBytes(32);
const keys = Object.fromEntries(services.map((s) => [s, serviceProofKeysFor(master, s, services)]));
const gateway = createGatewayProver(master);
const request: ProvedRequest = {
  method: 'POST',
  url: '/v1/documents/8a3e0c43-6f7a-4a43-9d55-0b8f0a4e2f11/registration?x=1',
  requestId: 'req-12345678',
  idempotencyKey: 'key-1',
  assertion: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ2YW4tdGh1In0.c2ln',
};
const verifierOf = (service: string, now?: () => number) =>
  createRequestProofVerifier(service, keys[service]?.key as string, now);

test("the gateway's proof is accepted once, for the request it was made for, and names the gateway", () => {
  const verify = verifierOf('documents');
  const proof = gateway('documents', request);
  expect(verify(proof, request)).toBe('gateway');
  expect(() => verify(proof, request)).toThrow(/already used/);
  expect(verify(gateway('documents', request), request)).toBe('gateway');
});

test.each<[string, Partial<ProvedRequest>]>([
  ['another method', { method: 'GET' }],
  ['another path', { url: '/v1/documents/8a3e0c43-6f7a-4a43-9d55-0b8f0a4e2f11/issue?x=1' }],
  ['another query', { url: '/v1/documents/8a3e0c43-6f7a-4a43-9d55-0b8f0a4e2f11/registration?x=2' }],
  ['another request id', { requestId: 'req-87654321' }],
  ['no request id', { requestId: undefined }],
  ['another Idempotency-Key', { idempotencyKey: 'key-2' }],
  ['another identity assertion', { assertion: `${request.assertion}x` }],
])('a proof is refused for %s', (_label, change) => {
  const verify = verifierOf('documents');
  expect(() => verify(gateway('documents', request), { ...request, ...change })).toThrow(/does not match/);
});

test('a proof made for one service is refused by another, and a made-up or malformed one by all', () => {
  expect(() => verifierOf('signing')(gateway('documents', request), request)).toThrow(/does not match/);
  const verify = verifierOf('documents');
  expect(() => verify(undefined, request)).toThrow(/none sent/);
  expect(() => verify('v1.gateway.x.y.z', request)).toThrow(/malformed/);
  const [v, caller, at, nonce] = gateway('documents', request).split('.');
  expect(() => verify(`${v}.${caller}.${at}.${nonce}.${randomBytes(32).toString('base64url')}`, request)).toThrow(
    /does not match/,
  );
});

test('a proof older than its life, or made ahead of the clock, is refused', () => {
  const proof = gateway('documents', request);
  expect(() => verifierOf('documents', () => Date.now() + proofLifeMs + 1)(proof, request)).toThrow(/expired/);
  expect(() => verifierOf('documents', () => Date.now() - 60_000)(proof, request)).toThrow(/future/);
  expect(verifierOf('documents', () => Date.now() + proofLifeMs - 1_000)(proof, request)).toBe('gateway');
});

test('a service proves as itself only: its keys are good towards each service, under its own name', () => {
  const routing = createServiceProver(keys.routing as never);
  expect(verifierOf('documents')(routing('documents', request), request)).toBe('routing');
  expect(verifierOf('signing')(routing('signing', request), request)).toBe('routing');
  // Renaming the caller in a proof routing made does not make it signing's, nor the gateway's.
  for (const other of ['signing', 'gateway']) {
    const forged = routing('documents', request).replace('.routing.', `.${other}.`);
    expect(() => verifierOf('documents')(forged, request)).toThrow(/does not match/);
  }
  // A service's file holds no key of its own towards itself, and nothing derived for another caller.
  expect(Object.keys(keys.routing?.outgoing ?? {}).sort()).toEqual(['documents', 'signing']);
  expect(() => routing('routing', request)).toThrow(/no request proof key/);
});
