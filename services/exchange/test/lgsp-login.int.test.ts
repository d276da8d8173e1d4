import type { AddressInfo } from 'node:net';
import { buildEdxml } from '../src/domain/edxml/build-edxml';
import type { EdxmlDocument } from '../src/domain/edxml/model';
import { buildHubSandbox } from '../src/hub-sandbox/sandbox-app';
import type { HubSandbox, SandboxAgency } from '../src/hub-sandbox/sandbox-app';
import { HubError } from '../src/hub/hub-adapter';
import type { HubCredentials } from '../src/hub/hub-adapter';
import { LgspAdapter } from '../src/hub/lgsp-adapter';
import { fetchWhole } from './hub-test-context';

// The LGSP's Bearer login over HTTP against the hub sandbox: a token from POST /v1/auth/login goes with every
// call beside X-SystemId / X-SecretKey, is reused until shortly before it expires, renewed then, and renewed at
// once when the hub answers 401; a wrong account is refused with 15 and never retried.

const agencyA = '000.00.51.H56';
const agencyB = '000.00.52.H56';
const agencies: SandboxAgency[] = [
  { code: agencyA, name: 'Sở Nội vụ', systemId: 'login-a', secret: 'login-secret-a' },
  { code: agencyB, name: 'Sở Y tế', systemId: 'login-b', secret: 'login-secret-b' },
];
const account = (code: string): HubCredentials => {
  const agency = agencies.find((a) => a.code === code)!;
  return { agencyCode: agency.code, systemId: agency.systemId, secret: agency.secret };
};
const login = { username: 'vanthu-lienthong', password: 'mật-khẩu-tích-hợp', applicationCode: 'VANTHU' };
const store: Parameters<typeof buildHubSandbox>[0]['messages'] = [];
let sandbox: HubSandbox;
let url = '';
let port = 0;
let now = new Date('2026-12-02T03:00:00Z');
const clock = () => now;

async function startHub(): Promise<void> {
  sandbox = await buildHubSandbox({ agencies, messages: store, lgspLogins: [login], lgspTokenSeconds: 1800, clock });
  await sandbox.app.listen({ host: '127.0.0.1', port });
  port = (sandbox.app.server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;
}

beforeAll(startHub);
afterAll(async () => {
  await sandbox.app.close();
});

function message(number: string): Buffer {
  const document: EdxmlDocument = {
    header: {
      from: { organId: agencyA },
      to: [{ organId: agencyB }],
      documentId: `${agencyA},2026/12/02,${number}/SNV-VP`,
      code: { codeNumber: number, codeNotation: 'SNV-VP' },
      promulgationInfo: { promulgationDate: '2026-12-02' },
      documentType: { type: 'CV', typeName: 'Công văn' },
      subject: `V/v thử đăng nhập LGSP ${number}`,
      toPlaces: [],
      responseFor: [],
    },
    traceHeaders: [{ organId: agencyA, timestamp: '2026-12-02T10:00:00+07:00' }],
    attachments: [{ contentId: '1', name: 'cv.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.7') }],
  };
  return buildEdxml(document);
}

const refusal = async (work: Promise<unknown>): Promise<HubError> => {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof HubError)) throw new Error(`expected a HubError, got ${String(error)}`);
  return error;
};

describe('LGSP Bearer login', () => {
  it('without a token the LGSP refuses every call with 15 (401)', async () => {
    const bare = new LgspAdapter(url, { clock, timeoutMs: 3000 });
    const error = await refusal(bare.listReceived(account(agencyB), 'edoc'));
    expect(error).toMatchObject({ code: '15', retriable: false });
    expect(error.message).toMatch(/no Bearer token/);
  });

  it('logs in once, sends and receives with the token, and reuses it for concurrent calls', async () => {
    const hub = new LgspAdapter(url, { clock, timeoutMs: 3000, login });
    const [{ docId }] = await Promise.all([
      hub.sendEdoc(account(agencyA), { messageType: 'edoc', to: [agencyB], edxml: message('11') }),
      hub.listReceived(account(agencyB), 'edoc'),
      hub.listAgencies(account(agencyA)),
    ]);
    expect(hub.logins).toBe(1);
    const listed = await hub.listReceived(account(agencyB), 'edoc');
    expect(listed.map((i) => i.docId)).toContain(docId);
    expect((await fetchWhole(hub, account(agencyB), docId)).equals(message('11'))).toBe(true);
    await hub.acknowledge(account(agencyB), docId, 'done');
    expect(hub.logins).toBe(1);
  });

  it('renews the token shortly before it expires, and at once when the hub no longer knows it', async () => {
    const hub = new LgspAdapter(url, { clock, timeoutMs: 3000, login });
    await hub.listReceived(account(agencyB), 'edoc');
    now = new Date(now.getTime() + 28 * 60_000);
    await hub.listReceived(account(agencyB), 'edoc');
    expect(hub.logins).toBe(1); // still two minutes to go
    now = new Date(now.getTime() + 90_000);
    await hub.listReceived(account(agencyB), 'edoc');
    expect(hub.logins).toBe(2); // within a minute of expiry: renewed before the call

    // The hub forgets its tokens (restarted, revoked): the call is answered 401, the adapter logs in again and repeats it.
    sandbox.revokeTokens();
    const { docId } = await hub.sendEdoc(account(agencyA), {
      messageType: 'edoc',
      to: [agencyB],
      edxml: message('12'),
    });
    expect(docId).toBeTruthy();
    expect(hub.logins).toBe(3);
    // A token that expired at the hub while the adapter's clock says it still lives (clocks apart): the same.
    const adapterNow = now;
    const late = new LgspAdapter(url, { clock: () => adapterNow, timeoutMs: 3000, login });
    await late.listReceived(account(agencyB), 'edoc');
    now = new Date(now.getTime() + 31 * 60_000);
    await late.listReceived(account(agencyB), 'edoc');
    expect(late.logins).toBe(2);
  });

  it('a wrong account is 15, not retried; a hub down during the login is retried', async () => {
    const wrong = new LgspAdapter(url, { clock, timeoutMs: 3000, login: { ...login, password: 'sai' } });
    const error = await refusal(wrong.listReceived(account(agencyB), 'edoc'));
    expect(error).toMatchObject({ code: '15', retriable: false });
    expect(error.message).toMatch(/refused the login/);
    const nowhere = new LgspAdapter('http://127.0.0.1:9', { clock, timeoutMs: 1000, login });
    expect(await refusal(nowhere.listReceived(account(agencyB), 'edoc'))).toMatchObject({
      code: 'network',
      retriable: true,
    });
  });
});
