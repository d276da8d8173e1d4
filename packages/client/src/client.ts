import { randomUUID } from 'node:crypto';
import createClient from 'openapi-fetch';
import type { Client, MaybeOptionalInit, MethodResponse } from 'openapi-fetch';
import type { HttpMethod, PathsWithMethod, RequiredKeysOf } from 'openapi-typescript-helpers';
import type { paths } from './generated/openapi';
import { problemOf } from './problem';
import { retryingFetch } from './retry';
import type { RetryOptions } from './retry';
import { signWithToken } from './signing/sign-with-token';
import type { SignWithTokenOptions, SigningSessionResult } from './signing/sign-with-token';

export type VanthuClientOptions = {
  /** The gateway, e.g. http://127.0.0.1:3000 (no trailing /v1). */
  baseUrl: string;
  /** A bearer JWT, or a function asked before every request (for tokens that refresh). */
  token?: string | (() => string | Promise<string>);
  /** Retries on 503 and 429 honouring Retry-After (default: 3 retries). */
  retry?: RetryOptions;
  /** Makes the Idempotency-Key of a mutating call that has none (default: a random UUID). */
  idempotencyKey?: () => string;
  /** Another fetch (default: the global one). */
  fetch?: (request: Request) => Promise<Response>;
};

type InitArgs<Init> =
  RequiredKeysOf<Init> extends never ? [(Init & { [key: string]: unknown })?] : [Init & { [key: string]: unknown }];

/** The success body of an operation, as the OpenAPI document declares it. */
export type ResponseOf<P extends keyof paths, M extends HttpMethod> =
  P extends PathsWithMethod<paths, M> ? MethodResponse<Client<paths>, M, P> : never;

type ThrowingMethod<M extends HttpMethod> = <
  P extends PathsWithMethod<paths, M>,
  Init extends MaybeOptionalInit<paths[P], M>,
>(
  url: P,
  ...init: InitArgs<Init>
) => Promise<MethodResponse<Client<paths>, M, P, Init>>;

type PageOf<P extends PathsWithMethod<paths, 'get'>> = ResponseOf<P, 'get'>;

/** GET operations that answer `{ items, nextCursor }`: the ones `paginate` walks. */
export type PaginatedPath = {
  [P in PathsWithMethod<paths, 'get'>]: PageOf<P> extends { items: unknown[]; nextCursor: string | null } ? P : never;
}[PathsWithMethod<paths, 'get'>];

export type ItemOf<P extends PaginatedPath> = PageOf<P> extends { items: (infer T)[] } ? T : never;

export type DocumentMetadata = Record<string, unknown> & {
  direction: 'outgoing' | 'incoming' | 'internal';
  subject: string;
};

export type VanthuClient = {
  /** The generated openapi-fetch client: returns `{ data, error, response }` and never throws on a status. */
  raw: Client<paths>;
  /** Typed calls that return the success body and throw `VanthuProblem` for any error status. */
  GET: ThrowingMethod<'get'>;
  POST: ThrowingMethod<'post'>;
  PUT: ThrowingMethod<'put'>;
  PATCH: ThrowingMethod<'patch'>;
  DELETE: ThrowingMethod<'delete'>;
  /** Every item of a cursor-paginated list, fetching the next page only when the previous one is used up. */
  paginate: <P extends PaginatedPath>(
    url: P,
    ...init: InitArgs<MaybeOptionalInit<paths[P], 'get'>>
  ) => AsyncGenerator<ItemOf<P>, void, undefined>;
  /** Uploads a PDF (or DOCX) with its Phụ lục VI metadata: `POST /v1/documents`. */
  uploadDocument: (
    file: Uint8Array,
    metadata: DocumentMetadata,
    options?: { filename?: string; contentType?: string; idempotencyKey?: string },
  ) => Promise<ResponseOf<'/v1/documents', 'post'>>;
  /** Two-step signing with the user's key: prepare, sign on this machine with `signer`, complete. */
  signWithToken: (options: SignWithTokenOptions) => Promise<SigningSessionResult[]>;
};

export type FilePart = { bytes: Uint8Array; filename: string; contentType: string };

/**
 * A multipart body for the upload operations (documents, versions, scans, signature images, validations). Typed as
 * `never` so it fits their generated body type, which openapi-typescript writes as strings for binary parts.
 */
export function formData(parts: Record<string, string | FilePart>): never {
  const form = new FormData();
  for (const [name, part] of Object.entries(parts)) {
    if (typeof part === 'string') form.append(name, part);
    else form.append(name, new Blob([part.bytes], { type: part.contentType }), part.filename);
  }
  return form as never;
}

const mutating = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A client of the vanthu API behind its gateway. */
export function createVanthuClient(options: VanthuClientOptions): VanthuClient {
  const baseFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const raw = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    fetch: retryingFetch(baseFetch, options.retry),
  });
  const newKey = options.idempotencyKey ?? randomUUID;
  raw.use({
    async onRequest({ request }) {
      if (options.token !== undefined && !request.headers.has('authorization')) {
        const token = typeof options.token === 'function' ? await options.token() : options.token;
        request.headers.set('authorization', `Bearer ${token}`);
      }
      // One key per logical call, set before the retrying fetch: every retry repeats the same key, so the
      // server runs the mutation once and answers repeats with the stored result.
      if (mutating.has(request.method) && !request.headers.has('idempotency-key'))
        request.headers.set('idempotency-key', newKey());
      return request;
    },
  });

  const throwing =
    <M extends HttpMethod>(method: Uppercase<M>): ThrowingMethod<M> =>
    async (url, ...init) => {
      const call = raw[method] as unknown as (
        url: string,
        init?: unknown,
      ) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
      const { data, error, response } = await call(url, init[0]);
      if (!response.ok) throw problemOf({ method, url: response.url || String(url) }, response, error);
      return data as never;
    };

  const GET = throwing<'get'>('GET');
  const POST = throwing<'post'>('POST');

  async function* paginate<P extends PaginatedPath>(
    url: P,
    ...init: InitArgs<MaybeOptionalInit<paths[P], 'get'>>
  ): AsyncGenerator<ItemOf<P>, void, undefined> {
    const first = (init[0] ?? {}) as { params?: { query?: Record<string, unknown> } } & Record<string, unknown>;
    let cursor: string | null | undefined = first.params?.query?.cursor as string | undefined;
    do {
      const query = { ...(first.params?.query ?? {}), ...(cursor ? { cursor } : {}) };
      const page = (await (GET as unknown as (u: string, i: unknown) => Promise<unknown>)(url, {
        ...first,
        params: { ...(first.params ?? {}), query },
      })) as { items: ItemOf<P>[]; nextCursor: string | null };
      for (const item of page.items) yield item;
      // A page that names the cursor that fetched it as the next one would be fetched forever: it is the last (a
      // mock server built from the OpenAPI document, `npm run mock`, answers every page with the same example cursor).
      const sent: string | null | undefined = cursor;
      cursor = page.nextCursor === sent ? null : page.nextCursor;
    } while (cursor);
  }

  const client: VanthuClient = {
    raw,
    GET,
    POST,
    PUT: throwing<'put'>('PUT'),
    PATCH: throwing<'patch'>('PATCH'),
    DELETE: throwing<'delete'>('DELETE'),
    paginate,
    uploadDocument: async (file, metadata, upload = {}) => {
      const body = formData({
        metadata: JSON.stringify(metadata),
        file: {
          bytes: file,
          filename: upload.filename ?? 'document.pdf',
          contentType: upload.contentType ?? 'application/pdf',
        },
      });
      return (await POST('/v1/documents', {
        body,
        ...(upload.idempotencyKey ? { headers: { 'idempotency-key': upload.idempotencyKey } } : {}),
      })) as ResponseOf<'/v1/documents', 'post'>;
    },
    signWithToken: (signing) => signWithToken(client, signing),
  };
  return client;
}
