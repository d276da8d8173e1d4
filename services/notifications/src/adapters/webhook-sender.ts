import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkResolvedAddress } from '../rules/endpoint-address';
import type { WebhookMode } from '../rules/endpoint-address';

export type SendOutcome =
  { ok: true; status: number; durationMs: number } | { ok: false; status?: number; error: string; durationMs: number };

export type WebhookPost = { url: string; headers: Record<string, string>; body: string; timeoutMs: number };
export type WebhookSender = (post: WebhookPost) => Promise<SendOutcome>;

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
 * the answer's body is read and discarded, and connections are not pooled across endpoints.
 */
export function createWebhookSender(mode: WebhookMode): WebhookSender {
  const lookup = guardedLookup(mode);
  return (post) =>
    new Promise<SendOutcome>((resolve) => {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      let settled = false;
      // Called only from the request's callbacks, after `timer` below is set.
      const finish = (outcome: SendOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const url = new URL(post.url);
      // Literal IP hosts skip DNS: check them here.
      try {
        const literal = url.hostname.replace(/^\[|\]$/g, '');
        if (/^[0-9.]+$|:/.test(literal)) checkResolvedAddress(literal, mode);
      } catch (refusal) {
        resolve({ ok: false, error: (refusal as Error).message, durationMs: 0 });
        return;
      }
      const client = url.protocol === 'https:' ? https : http;
      const request = client.request(
        url,
        {
          method: 'POST',
          lookup,
          agent: false,
          headers: {
            ...post.headers,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(post.body),
            'user-agent': 'vanthu-webhooks/0.1',
          },
        },
        (response) => {
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
      const timer = setTimeout(() => {
        request.destroy(new Error(`no answer within ${post.timeoutMs} ms`));
      }, post.timeoutMs);
      request.on('error', (error) => {
        finish({ ok: false, error: error.message || String(error), durationMs: elapsed() });
      });
      request.end(post.body);
    });
}
