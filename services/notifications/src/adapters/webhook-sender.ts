import dns from 'node:dns';
import http from 'node:http';
import httpsModule from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkResolvedAddress } from '../rules/endpoint-address';
import type { WebhookMode } from '../rules/endpoint-address';

export type SendOutcome =
  { ok: true; status: number; durationMs: number } | { ok: false; status?: number; error: string; durationMs: number };

/**
 * `connection` names the pool of kept-alive connections the request may use (the endpoint's id): connections are
 * reused between deliveries to one endpoint, never shared with another. Without it the connection is closed after
 * the request.
 */
export type WebhookPost = {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  connection?: string;
};
export type WebhookSender = ((post: WebhookPost) => Promise<SendOutcome>) & { close?: () => void };

/** Idle kept-alive connections are closed after this, below the 5 s most servers keep them (node's default). */
const idleSocketMs = 4_000;
/** A pool unused this long is destroyed. */
const idlePoolMs = 60_000;

type Pool = { agent: http.Agent; usedAt: number };

/** Errors of a kept-alive connection the receiver closed just as it was reused: nothing was answered. */
const staleConnection = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/**
 * The address check runs inside the connection's own DNS lookup, so the address connected to is the one
 * checked (a host that resolves to a public address at registration and to 127.0.0.1 later — DNS
 * rebinding — is still refused).
 */
function guardedLookup(mode: WebhookMode): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as dns.LookupAddress[];
      try {
        for (const entry of list) checkResolvedAddress(entry.address, mode);
      } catch (refusal) {
        return callback(refusal as NodeJS.ErrnoException, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      const first = list[0];
      if (!first) return callback(new Error(`no address for ${hostname}`), '', 0);
      return callback(null, first.address, first.family);
    });
  };
}

/**
 * POSTs one delivery with node's HTTP client: redirects are never followed (a 3xx is a failed attempt —
 * following it would let an endpoint point vanthu anywhere), the whole exchange is bounded by `timeoutMs`,
 * and the answer's body is read and discarded. Connections are kept alive per endpoint (`post.connection`), so a
 * busy endpoint is not sent each delivery over a new TCP (and TLS) connection; every new connection goes through
 * the guarded lookup. A request that fails on a reused connection before any answer (the receiver closed it idle
 * just then) is sent once more on a new connection: deliveries are at least once, and the webhook-id de-duplicates.
 */
export function createWebhookSender(mode: WebhookMode): WebhookSender {
  const lookup = guardedLookup(mode);
  const pools = new Map<string, Pool>();
  let sweptAt = Date.now();

  const agentFor = (key: string | undefined, https: boolean): http.Agent | false => {
    if (key === undefined) return false;
    const now = Date.now();
    if (now - sweptAt > idlePoolMs) {
      sweptAt = now;
      for (const [name, pool] of pools)
        if (now - pool.usedAt > idlePoolMs) {
          pool.agent.destroy();
          pools.delete(name);
        }
    }
    const name = `${https ? 's' : ''}:${key}`;
    let pool = pools.get(name);
    if (!pool) {
      const options = { keepAlive: true, timeout: idleSocketMs, scheduling: 'lifo' as const };
      pool = { agent: https ? new httpsModule.Agent(options) : new http.Agent(options), usedAt: now };
      pools.set(name, pool);
    }
    pool.usedAt = now;
    return pool.agent;
  };

  const attempt = (post: WebhookPost, url: URL, deadline: number, retried: boolean): Promise<SendOutcome> =>
    new Promise<SendOutcome>((resolve) => {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      let settled = false;
      let answered = false;
      const finish = (outcome: SendOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const secure = url.protocol === 'https:';
      const client = secure ? httpsModule : http;
      const request = client.request(
        url,
        {
          method: 'POST',
          lookup,
          agent: agentFor(post.connection, secure),
          headers: {
            ...post.headers,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(post.body),
            'user-agent': 'vanthu-webhooks/0.1',
          },
        },
        (response) => {
          answered = true;
          const status = response.statusCode ?? 0;
          response.resume();
          response.on('end', () =>
            finish(
              status >= 200 && status < 300
                ? { ok: true, status, durationMs: elapsed() }
                : {
                    ok: false,
                    status,
                    error:
                      status >= 300 && status < 400
                        ? `redirect ${status} not followed`
                        : `the receiver answered ${status}`,
                    durationMs: elapsed(),
                  },
            ),
          );
          response.on('error', (error) => finish({ ok: false, status, error: error.message, durationMs: elapsed() }));
        },
      );
      const timer = setTimeout(
        () => {
          request.destroy(new Error(`no answer within ${post.timeoutMs} ms`));
        },
        Math.max(0, deadline - performance.now()),
      );
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (settled) return;
        if (!answered && !retried && request.reusedSocket && staleConnection.has(error.code ?? '')) {
          settled = true;
          clearTimeout(timer);
          resolve(attempt(post, url, deadline, true));
          return;
        }
        finish({ ok: false, error: error.message || String(error), durationMs: elapsed() });
      });
      request.end(post.body);
    });

  const send: WebhookSender = async (post) => {
    const url = new URL(post.url);
    // Literal IP hosts skip DNS: check them here.
    try {
      const literal = url.hostname.replace(/^\[|\]$/g, '');
      if (/^[0-9.]+$|:/.test(literal)) checkResolvedAddress(literal, mode);
    } catch (refusal) {
      return { ok: false, error: (refusal as Error).message, durationMs: 0 };
    }
    const started = performance.now();
    const outcome = await attempt(post, url, started + post.timeoutMs, false);
    return { ...outcome, durationMs: Math.round(performance.now() - started) };
  };
  send.close = () => {
    for (const pool of pools.values()) pool.agent.destroy();
    pools.clear();
  };
  return send;
}
