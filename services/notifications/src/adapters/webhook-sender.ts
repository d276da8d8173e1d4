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

/**
 * An endpoint's kept-alive connections are closed once it has had no request in flight for this long, below the 5 s
 * most servers keep an idle connection (node's default). A sweep does it, not a timeout on each socket: the agent's
 * per-socket timeout, re-armed on every request, cost a third of the sender's rate (measured).
 */
const idleSocketMs = 4_000;

type Pool = { agent: http.Agent; usedAt: number; active: number };

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
export function createWebhookSender(mode: WebhookMode, options: { idleSocketMs?: number } = {}): WebhookSender {
  const lookup = guardedLookup(mode);
  const idleMs = options.idleSocketMs ?? idleSocketMs;
  const pools = new Map<string, Pool>();
  const sweep = () => {
    const now = Date.now();
    for (const [name, pool] of pools)
      if (pool.active === 0 && now - pool.usedAt >= idleMs) {
        pool.agent.destroy();
        pools.delete(name);
      }
  };
  const sweeper = setInterval(sweep, idleMs / 2);
  sweeper.unref();

  const poolFor = (key: string | undefined, https: boolean): Pool | undefined => {
    if (key === undefined) return undefined;
    const name = `${https ? 's' : ''}:${key}`;
    let pool = pools.get(name);
    if (!pool) {
      const options = { keepAlive: true, scheduling: 'lifo' as const };
      pool = { agent: https ? new httpsModule.Agent(options) : new http.Agent(options), usedAt: 0, active: 0 };
      pools.set(name, pool);
    }
    return pool;
  };

  const attempt = (post: WebhookPost, url: URL, deadline: number, retried: boolean): Promise<SendOutcome> =>
    new Promise<SendOutcome>((resolve) => {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      let settled = false;
      let answered = false;
      const done = () => {
        if (!pool) return;
        pool.active -= 1;
        pool.usedAt = Date.now();
      };
      const finish = (outcome: SendOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        done();
        resolve(outcome);
      };
      const secure = url.protocol === 'https:';
      const client = secure ? httpsModule : http;
      const pool = poolFor(post.connection, secure);
      if (pool) pool.active += 1;
      const request = client.request(
        url,
        {
          method: 'POST',
          lookup,
          agent: pool?.agent ?? false,
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
          done();
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
    clearInterval(sweeper);
    for (const pool of pools.values()) pool.agent.destroy();
    pools.clear();
  };
  return send;
}
