import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorCodes } from '@vanthu/platform';
import { VanthuProblem, createVanthuClient, problemCodes, retryAfterSeconds } from '@vanthu/client';

// The client's own mechanics (retry schedule, Idempotency-Key reuse, problem parsing) against a local HTTP server
// the test scripts; its calls against the real stack are in test/e2e/integrator-kit.e2e.test.ts.

type Seen = { method: string; key: string | undefined; body: string };
type Answer = { status: number; headers?: Record<string, string>; body?: unknown; type?: string };

async function scriptedServer(answers: Answer[]): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      seen.push({
        method: request.method ?? '',
        key: request.headers['idempotency-key'] as string | undefined,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const answer = answers[Math.min(seen.length - 1, answers.length - 1)] as Answer;
      const body = answer.body === undefined ? '' : JSON.stringify(answer.body);
      response.writeHead(answer.status, {
        'content-type': answer.type ?? (answer.status >= 400 ? 'application/problem+json' : 'application/json'),
        ...(answer.headers ?? {}),
      });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const problem = (status: number, code: string) => ({ type: 'about:blank', title: code, status, code });

describe('@vanthu/client mechanics', () => {
  it('knows exactly the platform’s closed set of problem codes', () => {
    expect([...problemCodes].sort()).toEqual(Object.keys(errorCodes).sort());
  });

  it('retries 503 and 429 with the same Idempotency-Key and body, waiting as Retry-After says', async () => {
    const inTwoSeconds = new Date(Date.now() + 2_000).toUTCString();
    const server = await scriptedServer([
      { status: 503, headers: { 'retry-after': '3' }, body: problem(503, 'SERVICE_UNAVAILABLE') },
      { status: 429, headers: { 'retry-after': inTwoSeconds }, body: problem(429, 'RATE_LIMITED') },
      { status: 201, body: { id: 'x' } },
    ]);
    const waits: number[] = [];
    try {
      const client = createVanthuClient({
        baseUrl: server.url,
        token: 't',
        retry: { sleep: async (ms) => void waits.push(ms) },
      });
      const answer = await client.POST('/v1/registers', {
        body: { name: 'Sổ văn bản đi', kind: 'outgoing', year: 2026 } as never,
      });
      expect(answer).toEqual({ id: 'x' });
      expect(server.seen).toHaveLength(3);
      const [first] = server.seen;
      expect(first?.key).toMatch(/^[0-9a-f-]{36}$/);
      for (const s of server.seen) {
        expect(s.key).toBe(first?.key);
        expect(JSON.parse(s.body)).toEqual({ name: 'Sổ văn bản đi', kind: 'outgoing', year: 2026 });
      }
      expect(waits[0]).toBe(3_000);
      expect(waits[1]).toBeGreaterThanOrEqual(1_000);
      expect(waits[1]).toBeLessThanOrEqual(3_000);
    } finally {
      await server.close();
    }
  });

  it('gives up after the configured retries with the typed problem, and never retries other statuses', async () => {
    const server = await scriptedServer([
      { status: 503, headers: { 'retry-after': '1' }, body: problem(503, 'SERVICE_UNAVAILABLE') },
    ]);
    try {
      const client = createVanthuClient({ baseUrl: server.url, retry: { retries: 2, sleep: async () => undefined } });
      const error = await client.GET('/v1/registers').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VanthuProblem);
      expect(error).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 1, method: 'GET' });
      expect(server.seen).toHaveLength(3);
      expect(server.seen[0]?.key).toBeUndefined(); // reads carry no Idempotency-Key
    } finally {
      await server.close();
    }
    const conflict = await scriptedServer([{ status: 409, body: problem(409, 'CONFLICT') }]);
    try {
      const client = createVanthuClient({ baseUrl: conflict.url, retry: { sleep: async () => undefined } });
      await expect(client.POST('/v1/registers', { body: {} as never })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(conflict.seen).toHaveLength(1);
    } finally {
      await conflict.close();
    }
  });

  it('turns an answer that is not problem+json into UNEXPECTED_RESPONSE with the status', async () => {
    const server = await scriptedServer([{ status: 502, type: 'text/html', body: '<html>bad gateway</html>' }]);
    try {
      const client = createVanthuClient({ baseUrl: server.url });
      await expect(client.GET('/v1/registers')).rejects.toMatchObject({ status: 502, code: 'UNEXPECTED_RESPONSE' });
    } finally {
      await server.close();
    }
  });

  it('walks pages by nextCursor and stops at a page that names its own cursor as the next one', async () => {
    const page = (ids: string[], nextCursor: string | null) => ({
      status: 200,
      body: { items: ids.map((id) => ({ id })), nextCursor },
    });
    const server = await scriptedServer([
      page(['a', 'b'], 'c1'),
      page(['c'], 'c2'),
      page(['d'], 'c2'),
      page(['x'], 'c3'),
    ]);
    try {
      const client = createVanthuClient({ baseUrl: server.url });
      const ids: string[] = [];
      for await (const item of client.paginate('/v1/registers' as never)) ids.push((item as { id: string }).id);
      // The third page was fetched with c2 and answered c2 again: the walk ends there instead of looping.
      expect(ids).toEqual(['a', 'b', 'c', 'd']);
      expect(server.seen).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterSeconds('7')).toBe(7);
    expect(retryAfterSeconds(new Date(1_000_000 + 5_000).toUTCString(), 1_000_000)).toBe(5);
    expect(retryAfterSeconds('soon')).toBeUndefined();
    expect(retryAfterSeconds(null)).toBeUndefined();
  });
});
