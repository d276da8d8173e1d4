import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { EdxmlRefused, hasErrors, parseEdxml } from '../domain/edxml/parse-edxml';
import { SandboxMessageFiles } from './message-store';
import type { StoredMessage } from './message-store';

export type { StoredMessage } from './message-store';

// A protocol peer for development and tests: the VNPT VXP operations over HTTP as the public SDK
// calls them, the provincial LGSP REST shape and the Bkav eDoc API (docs/domain/edxml-facts.md "Hub APIs"), with
// agencies registered by mã định danh.
// It checks what it receives as the national hub does (the signed headers, the file hash, edXML
// conformance: prefixes, required fields, duplicate To, size) and answers with the hub's error
// codes. vanthu's adapters do not know they talk to it. Messages are kept in memory and, given a data
// directory, on disk too, so that they survive a restart of the sandbox (message-store.ts).

export type SandboxAgency = {
  code: string;
  name: string;
  systemId: string;
  secret: string;
  parentCode?: string;
  /** A locked recipient is refused with code 23. */
  locked?: boolean;
};

/** An integration account of the LGSP (`POST /v1/auth/login`); with one configured, every LGSP call needs its Bearer token. */
export type SandboxLgspLogin = { username: string; password: string; applicationCode: string };

export type HubSandbox = {
  app: FastifyInstance;
  /** Every message the hub holds, for tests and operators. */
  messages: () => StoredMessage[];
  /** Forgets every LGSP token issued (as a hub restart or a revocation does): the next calls get 401. */
  revokeTokens: () => void;
};

const ok = (extra: Record<string, unknown> = {}) => ({ status: 'OK', ErrorCode: '0', ErrorDesc: '', ...extra });
const fail = (code: string, description: string) => ({ status: 'FAIL', ErrorCode: code, ErrorDesc: description });

class SandboxRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[`xroadvnpt-${name.toLowerCase()}`];
  return typeof value === 'string' ? decodeURI(value) : undefined;
};

export async function buildHubSandbox(options: {
  agencies: SandboxAgency[];
  maxFileBytes?: number;
  /** Seconds a request's timestamp may differ from the sandbox clock. */
  clockSkewSeconds?: number;
  messages?: StoredMessage[];
  /** A directory the messages are kept in: what the hub accepted survives a restart of the sandbox. */
  dataDir?: string;
  /** LGSP integration accounts; none: the LGSP routes take X-SystemId / X-SecretKey alone. */
  lgspLogins?: SandboxLgspLogin[];
  /** Seconds an LGSP token lives (Lạng Sơn: 30 minutes). */
  lgspTokenSeconds?: number;
  /** The sandbox's clock for token expiry (tests move time instead of sleeping). */
  clock?: () => Date;
}): Promise<HubSandbox> {
  const clock = options.clock ?? (() => new Date());
  const tokens = new Map<string, { username: string; expiresAt: number }>();
  const maxFileBytes = options.maxFileBytes ?? 64 * 1024 * 1024;
  // Kept outside the app so a test can stop the hub and start it again with what it held; with a data
  // directory, read back from it and every change written there before the hub answers.
  const files = options.dataDir ? new SandboxMessageFiles(options.dataDir) : undefined;
  const store = options.messages ?? files?.load() ?? [];
  const app = Fastify({ logger: false, bodyLimit: maxFileBytes + 1024 * 1024 });
  await app.register(multipart, { limits: { fileSize: maxFileBytes, files: 1 } });

  // For the supervisor of `npm start`, which waits for every component to answer before going on.
  app.get('/health/live', async () => ({ status: 'ok' }));

  /** Verifies the signed headers and returns the calling agency. */
  const authenticate = (request: FastifyRequest): SandboxAgency => {
    const systemId = header(request, 'systemid');
    const agency = options.agencies.find((a) => a.systemId === systemId);
    const keyList = header(request, 'sign-header-key');
    const signedJson = header(request, 'sign-header');
    const hash = request.headers['xroadvnpt-hash-header'];
    if (!agency || !keyList || !signedJson || typeof hash !== 'string') {
      throw new SandboxRefusal('15', 'unknown systemid or unsigned request');
    }
    const names = keyList.split(';');
    const rebuilt = JSON.stringify(Object.fromEntries(names.map((name) => [name, header(request, name) ?? ''])));
    if (rebuilt !== signedJson || !names.includes('timestamp') || !names.includes('systemid')) {
      throw new SandboxRefusal('15', 'the signed header list does not match the headers sent');
    }
    const expected = Buffer.from(createHmac('sha256', agency.secret).update(signedJson).digest('hex'));
    const given = Buffer.from(hash);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new SandboxRefusal('15', 'XroadVnpt-hash-header does not verify');
    }
    const stamp = /^(\d{2})(\d{2})(\d{4})T(\d{2})(\d{2})(\d{2})\+\d{4}$/.exec(header(request, 'timestamp') ?? '');
    if (!stamp) throw new SandboxRefusal('15', 'XroadVnpt-timestamp is not ddMMyyyyTHHmmss+SSSS');
    const [, dd, mm, yyyy, hh, mi, ss] = stamp;
    const at = Date.parse(`${yyyy}-${mm}-${dd}T${hh}:${mi}:${ss}+07:00`);
    if (Math.abs(clock().getTime() - at) > (options.clockSkewSeconds ?? 300) * 1000) {
      throw new SandboxRefusal('15', 'XroadVnpt-timestamp is too far from the hub clock (replayed request?)');
    }
    return agency;
  };

  const handle =
    (work: (request: FastifyRequest, agency: SandboxAgency) => Promise<Record<string, unknown>>) =>
    async (request: FastifyRequest) => {
      try {
        return await work(request, authenticate(request));
      } catch (error) {
        if (error instanceof SandboxRefusal) return fail(error.code, error.message);
        throw error;
      }
    };

  /** What the hub does with a file, whichever protocol carried it: check it, route it, keep it. */
  const accept = (
    agency: SandboxAgency,
    edxml: Buffer,
    messageType: 'edoc' | 'status',
    declaredTo: string[] | undefined,
    /** What the hub does with a file it holds already: the same DocId (VXP, LGSP) or Bkav's ExistDoc refusal. */
    again: 'same-id' | 'exist-doc' = 'same-id',
  ): string => {
    const sha256 = createHash('sha256').update(edxml).digest('hex');
    let recipients: string[];
    try {
      const parsed = parseEdxml(edxml, { maxAttachmentBytes: maxFileBytes });
      if (hasErrors(parsed.problems)) {
        // The rule names say what is wrong; a signature's reason is spelled out too (what changed, which algorithm).
        const rules = [
          ...new Set(
            parsed.problems
              .filter((p) => p.severity === 'error')
              .map((p) => (p.rule.startsWith('edxml.signature') ? `${p.rule} (${p.message})` : p.rule)),
          ),
        ];
        throw new SandboxRefusal('22', `edXML not conformant: ${rules.join(', ')}`);
      }
      if ((parsed.kind === 'status') !== (messageType === 'status')) {
        throw new SandboxRefusal('22', `a ${parsed.kind} message sent as messagetype ${messageType}`);
      }
      const from = parsed.kind === 'edoc' ? parsed.document.header.from.organId : parsed.status.from.organId;
      if (from !== agency.code) throw new SandboxRefusal('19', `the message is from ${from}, not the calling agency`);
      recipients =
        parsed.kind === 'edoc' ? parsed.document.header.to.map((t) => t.organId) : [parsed.status.responseFor.organId];
    } catch (error) {
      if (error instanceof EdxmlRefused) throw new SandboxRefusal('22', `edXML not readable: ${error.message}`);
      throw error;
    }
    if (declaredTo && declaredTo.length > 0) recipients = declaredTo;
    for (const code of recipients) {
      const recipient = options.agencies.find((a) => a.code === code);
      if (!recipient) throw new SandboxRefusal('18', `recipient ${code} unknown`);
      if (recipient.locked) throw new SandboxRefusal('23', `recipient ${code} is locked`);
    }
    // Sending the same file again (a client retrying after a lost answer) gets the same DocId, or on the Bkav
    // shape the ExistDoc refusal the Bkav eDoc service answers for a document it has (bkav-adapter.ts).
    const existing = store.find((m) => m.from === agency.code && m.sha256 === sha256);
    if (existing && again === 'exist-doc') throw new SandboxRefusal('ExistDoc', 'the document exists already');
    if (existing) return existing.docId;
    const docId = randomUUID();
    const now = clock();
    for (const to of recipients) {
      const message: StoredMessage = {
        docId,
        from: agency.code,
        to,
        messageType,
        edxml,
        sha256,
        status: 'initial',
        createdAt: now,
        updatedAt: now,
      };
      files?.add(message);
      store.push(message);
    }
    return docId;
  };

  // A message its recipient acknowledged, as taken (done) or as refused (fail), is offered no more.
  const received = (agency: SandboxAgency, messageType: 'edoc' | 'status') =>
    store.filter(
      (m) => m.to === agency.code && m.messageType === messageType && m.status !== 'done' && m.status !== 'fail',
    );

  const find = (agency: SandboxAgency, docId: string | undefined): StoredMessage => {
    const message = store.find((m) => m.docId === docId && m.to === agency.code);
    if (!message) throw new SandboxRefusal('21', 'no such document for this agency');
    return message;
  };

  const setStatus = (agency: SandboxAgency, docId: string | undefined, status: string | undefined): void => {
    if (status !== 'done' && status !== 'fail' && status !== 'processing') {
      throw new SandboxRefusal('10', 'status is done, fail or processing');
    }
    const message = find(agency, docId);
    message.status = status;
    message.updatedAt = clock();
    files?.update(message);
  };

  app.post(
    '/sendEdoc',
    handle(async (request, agency) => {
      if (header(request, 'from') !== agency.code) throw new SandboxRefusal('19', 'from is not the calling agency');
      const messageType = header(request, 'messagetype') === 'status' ? 'status' : 'edoc';
      const part = await request.file();
      if (!part || part.fieldname !== 'file_doc') throw new SandboxRefusal('10', 'no file_doc part');
      let edxml: Buffer;
      try {
        edxml = await part.toBuffer();
      } catch {
        throw new SandboxRefusal('10', `file larger than ${maxFileBytes} bytes`);
      }
      const sha256 = createHash('sha256').update(edxml).digest('hex');
      if (header(request, 'hash-file') !== sha256) throw new SandboxRefusal('10', 'hash-file does not match the file');
      const declared = header(request, 'to');
      return ok({
        DocId: accept(agency, edxml, messageType, declared ? (JSON.parse(declared) as string[]) : undefined),
      });
    }),
  );

  app.post(
    '/getReceivedEdocList',
    handle(async (request, agency) => {
      const messageType = header(request, 'messagetype') === 'status' ? 'status' : 'edoc';
      const data = received(agency, messageType).map((m) => ({
        docId: m.docId,
        serviceType: 'eDoc',
        messageType: m.messageType,
        created_time: m.createdAt.toISOString(),
        updated_time: m.updatedAt.toISOString(),
        from: m.from,
        to: m.to,
        status: m.status,
        status_desc: m.status,
      }));
      return ok({ data });
    }),
  );

  app.post(
    '/getEdoc',
    handle(async (request, agency) => ok({ data: find(agency, header(request, 'docId')).edxml.toString('base64') })),
  );

  app.post(
    '/updateStatus',
    handle(async (request, agency) => {
      setStatus(agency, header(request, 'docId'), header(request, 'status'));
      return ok();
    }),
  );

  app.post(
    '/getAgenciesList',
    handle(async () =>
      ok({
        data: options.agencies.map((a) => ({
          code: a.code,
          name: a.name,
          ...(a.parentCode ? { pcode: a.parentCode } : {}),
        })),
      }),
    ),
  );

  // The LGSP REST shape (docs/domain/edxml-facts.md §3.3): X-SystemId and X-SecretKey on every call, JSON
  // answers `{success, message, docId | data}`, refusals `{success: false, data: {errorCode, errorDesc}}`.
  // Lạng Sơn's login (the same integrator's lgsp-auth.ts): JSON {username, password, applicationCode, ...},
  // answered `{success, message, data: {token, expiresIn}}`; a wrong account is HTTP 401.
  app.post('/v1/auth/login', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const account = (options.lgspLogins ?? []).find(
      (l) =>
        l.username === body.username &&
        l.applicationCode === body.applicationCode &&
        typeof body.password === 'string' &&
        Buffer.byteLength(body.password) === Buffer.byteLength(l.password) &&
        timingSafeEqual(Buffer.from(body.password), Buffer.from(l.password)),
    );
    if (!account) {
      return reply.code(401).send({
        success: false,
        message: 'wrong username, password or application code',
        data: { errorCode: '15', errorDesc: 'wrong username, password or application code' },
      });
    }
    const seconds = options.lgspTokenSeconds ?? 1800;
    const token = randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, '');
    tokens.set(token, { username: account.username, expiresAt: clock().getTime() + seconds * 1000 });
    return { success: true, message: 'OK', data: { token, expiresIn: seconds } };
  });

  /** With accounts configured, a call needs a live Bearer token (401 otherwise, as the LGSP's gateway answers). */
  const bearerRefusal = (request: FastifyRequest): string | undefined => {
    if (!options.lgspLogins?.length) return undefined;
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
    if (!match) return 'no Bearer token: log in at /v1/auth/login';
    const token = tokens.get(match[1]!);
    if (!token) return 'unknown Bearer token';
    if (clock().getTime() >= token.expiresAt) {
      tokens.delete(match[1]!);
      return 'the Bearer token has expired';
    }
    return undefined;
  };

  const lgspAgency = (request: FastifyRequest): SandboxAgency => {
    const systemId = request.headers['x-systemid'];
    const secret = request.headers['x-secretkey'];
    const agency = options.agencies.find((a) => a.systemId === systemId);
    const expected = Buffer.from(agency?.secret ?? '');
    const given = Buffer.from(typeof secret === 'string' ? secret : '');
    if (!agency || expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new SandboxRefusal('15', 'wrong X-SystemId or X-SecretKey');
    }
    return agency;
  };
  const lgsp =
    (work: (request: FastifyRequest, agency: SandboxAgency) => Promise<Record<string, unknown>>) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const refusal = bearerRefusal(request);
      if (refusal) {
        // The body is read first: answering while the client still writes it would break its connection.
        if (request.isMultipart()) {
          try {
            for await (const part of request.parts()) if (part.type === 'file') await part.toBuffer();
          } catch {
            // a body too large or broken: the refusal below still stands
          }
        }
        return reply
          .code(401)
          .send({ success: false, message: refusal, data: { errorCode: '15', errorDesc: refusal } });
      }
      try {
        return { success: true, message: 'OK', ...(await work(request, lgspAgency(request))) };
      } catch (error) {
        if (error instanceof SandboxRefusal) {
          return { success: false, message: error.message, data: { errorCode: error.code, errorDesc: error.message } };
        }
        throw error;
      }
    };
  const query = (request: FastifyRequest, name: string): string | undefined => {
    const value = (request.query as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  };

  app.post(
    '/v1/sendEdoc',
    lgsp(async (request, agency) => {
      let edxml: Buffer | undefined;
      let messageType: 'edoc' | 'status' = 'edoc';
      try {
        for await (const part of request.parts()) {
          if (part.type === 'file' && part.fieldname === 'edocFile') edxml = await part.toBuffer();
          else if (part.type === 'file') await part.toBuffer();
          else if (part.fieldname === 'messageType' && part.value === 'status') messageType = 'status';
        }
      } catch {
        throw new SandboxRefusal('10', `file larger than ${maxFileBytes} bytes or not multipart`);
      }
      if (!edxml) throw new SandboxRefusal('10', 'no edocFile part');
      return { docId: accept(agency, edxml, messageType, undefined) };
    }),
  );

  app.get(
    '/v1/syncReceivedEdocList',
    lgsp(async (request, agency) => {
      const messageType = query(request, 'messageType') === 'status' ? 'status' : 'edoc';
      // fromDate / toDate are yyyy/MM/dd in Vietnamese civil time, both inclusive.
      const day = (at: Date) => new Date(at.getTime() + 7 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '/');
      const from = query(request, 'fromDate');
      const to = query(request, 'toDate');
      const data = received(agency, messageType)
        .filter((m) => (!from || day(m.createdAt) >= from) && (!to || day(m.createdAt) <= to))
        .map((m) => ({
          docId: m.docId,
          serviceType: 'eDoc',
          messageType: m.messageType,
          createdTime: m.createdAt.toISOString(),
          updatedTime: m.updatedAt.toISOString(),
          from: m.from,
          to: m.to,
          status: m.status,
          statusDesc: m.status,
        }));
      return { count: data.length, data };
    }),
  );

  app.get(
    '/v1/getEdoc',
    lgsp(async (request, agency) => {
      const message = find(agency, query(request, 'docId'));
      return { data: { docId: message.docId, from: message.from, edxml: message.edxml.toString('base64') } };
    }),
  );

  app.post(
    '/v1/updateStatus',
    lgsp(async (request, agency) => {
      const body = (request.body ?? {}) as { docId?: unknown; status?: unknown };
      setStatus(
        agency,
        typeof body.docId === 'string' ? body.docId : undefined,
        typeof body.status === 'string' ? body.status : undefined,
      );
      return {};
    }),
  );

  app.get(
    '/v1/organizations',
    lgsp(async () => ({
      data: options.agencies.map((a) => ({ orgCode: a.code, orgName: a.name, parentCode: a.parentCode ?? null })),
    })),
  );

  // The Bkav eDoc shape (docs/domain/edxml-facts.md "Bkav eDoc"; bkav-adapter.ts): under /EdocService, the
  // agency's `organid` and its token in `authorization` on every call, the kind in `type` (EDOC or STATUS),
  // answers `{status: Success|Fail, code: "0" | "9999", errors: [{code, message}]}`. A refusal carries the
  // hub's reason as the error item (the LGSP code the checks above name, or Unauthorized); the sandbox's
  // message ids are its UUIDs where Bkav's are numbers.
  app.addContentTypeParser(
    'application/octet-stream',
    { parseAs: 'buffer', bodyLimit: maxFileBytes },
    (_request, body, done) => done(null, body),
  );
  const bkav =
    (work: (request: FastifyRequest, agency: SandboxAgency) => Promise<Record<string, unknown>>) =>
    async (request: FastifyRequest) => {
      try {
        const organId = request.headers.organid;
        const token = request.headers.authorization;
        const agency = options.agencies.find((a) => a.code === organId);
        if (
          !agency ||
          typeof token !== 'string' ||
          Buffer.byteLength(token) !== Buffer.byteLength(agency.secret) ||
          !timingSafeEqual(Buffer.from(token), Buffer.from(agency.secret))
        ) {
          throw new SandboxRefusal('Unauthorized', 'unknown organid or wrong authorization token');
        }
        return { status: 'Success', code: '0', errors: [], ...(await work(request, agency)) };
      } catch (error) {
        if (!(error instanceof SandboxRefusal)) throw error;
        return { status: 'Fail', code: '9999', errors: [{ code: error.code, message: error.message }] };
      }
    };
  const bkavType = (request: FastifyRequest): 'edoc' | 'status' => {
    const type = request.headers.type;
    if (type !== 'EDOC' && type !== 'STATUS') throw new SandboxRefusal('BadRequest', 'type is EDOC or STATUS');
    return type === 'STATUS' ? 'status' : 'edoc';
  };
  const bkavDocId = (request: FastifyRequest): string | undefined =>
    typeof request.headers.docid === 'string' ? request.headers.docid : undefined;

  app.post(
    '/EdocService/sendDocument',
    bkav(async (request, agency) => {
      const messageType = bkavType(request);
      const edxml = request.body;
      if (!Buffer.isBuffer(edxml) || edxml.length === 0) throw new SandboxRefusal('10', 'no edXML in the body');
      const hash = request.headers['hash-edoc'];
      if (typeof hash === 'string' && hash !== createHash('sha256').update(edxml).digest('hex')) {
        throw new SandboxRefusal('EdocHash', 'hash-edoc does not match the file');
      }
      return { docId: accept(agency, edxml, messageType, undefined, 'exist-doc') };
    }),
  );

  app.get(
    '/EdocService/getPendingDocIds',
    bkav(async (request, agency) => ({ docIDs: received(agency, bkavType(request)).map((m) => m.docId) })),
  );

  app.post(
    '/EdocService/getDocument',
    bkav(async (request, agency) => {
      const message = find(agency, bkavDocId(request));
      if (message.messageType !== bkavType(request)) throw new SandboxRefusal('21', 'no such message of that type');
      return { data: message.edxml.toString('base64') };
    }),
  );

  app.post(
    '/EdocService/confirmReceived',
    bkav(async (request, agency) => {
      setStatus(agency, bkavDocId(request), 'done');
      return {};
    }),
  );

  app.get(
    '/EdocService/getOrganizations',
    bkav(async (request) => {
      const domain = (request.query as { domain?: unknown }).domain;
      return {
        organizations: options.agencies
          .filter((a) => !domain || a.parentCode === domain)
          .map((a) => ({ domain: a.code, name: a.name, inCharge: '', address: '', email: '', telephone: '' })),
      };
    }),
  );

  return { app, messages: () => store, revokeTokens: () => tokens.clear() };
}
