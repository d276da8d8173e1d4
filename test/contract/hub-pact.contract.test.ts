import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MatchersV3, PactV4 } from '@pact-foundation/pact';
import { parseEdxml } from '../../services/exchange/src/domain/edxml/parse-edxml';
import { VxpAdapter } from '../../services/exchange/src/hub/vxp-adapter';
import { fetchWhole } from '../../services/exchange/test/hub-test-context';
import { hubAccountsOf, statusForIntegrator, verifyHubPacts } from '../../infra/src/hub-pact-verify';
import { pactFilesOf, providerOf } from '../../infra/src/pact-verify';
import type { HubCredentials } from '../../services/exchange/src/hub/hub-adapter';
import { integratorAgency } from '../../infra/src/hub-sandbox';
import type { HubSandboxSetup } from '../../infra/src/hub-sandbox';
import { startTestHubSandbox } from '../support/hub-sandbox';

// The hub adapter's example pact (issue 15 item 5): a hub adapter (here exchange's own VXP adapter, the code an
// integrator's adapter would be) records what it needs of the hub to read the statuses sent to it and to acknowledge
// them, and Pact's verifier replays that against the hub sandbox as `npm start` runs it, the states set up by a local
// agency's account sending a real status message.
//
// Only the hub's JSON operations are in the pact. The edXML travels there as a base64 string (getEdoc's `data`),
// matched by a regular expression, and the consumer test checks the example with our own edXML parser. Posting a
// document (sendEdoc) is not: its body is multipart with the edXML as a part, and Pact matches an XML part with its
// XML matcher, which cannot match edXML's default namespace (pact-foundation/pact-js#632: "Unable to match Element
// {…QCVN_102_2016…edXML}"), while a pact without the body cannot be replayed (the hub refuses a sendEdoc with no file,
// code 10). sendEdoc is exercised against the sandbox by hub-sandbox-start.e2e and the receiving-from-the-hub guide.

const { like, regex, eachLike, fromProviderState } = MatchersV3;
const base64 = '^[A-Za-z0-9+/]+={0,2}$';
const hex64 = '^[0-9a-f]{64}$';
const vxpStamp = '^\\d{8}T\\d{6}\\+\\d{4}$';
const exampleDocId = '6f1c0b9e-2d4a-4e8b-9c3f-1a2b3c4d5e6f';
const local = '000.00.00.H99';

/** The VXP headers as the adapter sends them, matched by shape: the timestamp and HMAC change with every call. */
const vxpHeaders = (signed: string, values: Record<string, unknown>) => ({
  'XroadVnpt-systemid': like(`vanthu-${integratorAgency.code}`),
  'XroadVnpt-timestamp': regex(vxpStamp, '04122026T100000+0000'),
  'XroadVnpt-sign-header-key': signed,
  'XroadVnpt-sign-header': like('%7B%7D'),
  'XroadVnpt-hash-header': regex(hex64, 'a'.repeat(64)),
  ...values,
});

const consumerCredentials: HubCredentials = {
  agencyCode: integratorAgency.code,
  systemId: `vanthu-${integratorAgency.code}`,
  secret: 'the consumer test does not know the hub account secret',
};

let pactDir: string;
let hub: HubSandboxSetup | undefined;
let stopHub: (() => Promise<void>) | undefined;

beforeAll(() => {
  pactDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vanthu-hub-pacts-'));
});
afterAll(async () => {
  await stopHub?.();
  fs.rmSync(pactDir, { recursive: true, force: true });
});

describe('a hub adapter (consumer) and the hub sandbox (provider)', () => {
  it('the adapter records how it reads and acknowledges the statuses sent to it, calling Pact’s mock', async () => {
    const example = statusForIntegrator('45');
    const pact = new PactV4({ consumer: 'hub-adapter', provider: 'hub-sandbox', dir: pactDir, logLevel: 'warn' });
    await pact
      .addInteraction()
      .given('a status message waits for the integrator’s agency')
      .uponReceiving('a list of the status messages waiting')
      .withRequest('POST', '/getReceivedEdocList', (builder) =>
        builder.headers(
          vxpHeaders('servicetype;messagetype;systemid;timestamp', {
            'XroadVnpt-servicetype': 'eDoc',
            'XroadVnpt-messagetype': 'status',
          }),
        ),
      )
      .willRespondWith(200, (builder) =>
        builder.jsonBody({
          status: 'OK',
          ErrorCode: '0',
          data: eachLike({
            docId: like(exampleDocId),
            from: like(local),
            messageType: 'status',
            created_time: like('2026-12-04T03:00:00.000Z'),
          }),
        }),
      )
      .executeTest(async (server) => {
        const listed = await new VxpAdapter(server.url).listReceived(consumerCredentials, 'status');
        expect(listed[0]).toMatchObject({ docId: exampleDocId, messageType: 'status' });
      });
    await pact
      .addInteraction()
      .given('a status message waits for the integrator’s agency')
      .uponReceiving('a read of one status message')
      .withRequest('POST', '/getEdoc', (builder) =>
        builder.headers(
          vxpHeaders('docId;systemid;timestamp', {
            'XroadVnpt-docId': fromProviderState('${docId}', exampleDocId),
          }),
        ),
      )
      .willRespondWith(200, (builder) =>
        builder.jsonBody({ status: 'OK', ErrorCode: '0', data: regex(base64, example.toString('base64')) }),
      )
      .executeTest(async (server) => {
        const bytes = await fetchWhole(new VxpAdapter(server.url), consumerCredentials, exampleDocId);
        // What the adapter got is a status message as the hub carries it: our parser reads it without an error.
        const parsed = parseEdxml(bytes);
        expect(parsed.problems.filter((p) => p.severity === 'error')).toEqual([]);
        expect(parsed.kind === 'status' && parsed.status.statusCode).toBe('03');
      });
    await pact
      .addInteraction()
      .given('a status message waits for the integrator’s agency')
      .uponReceiving('an acknowledgement of a status message')
      .withRequest('POST', '/updateStatus', (builder) =>
        builder.headers(
          vxpHeaders('docId;status;systemid;timestamp', {
            'XroadVnpt-docId': fromProviderState('${docId}', exampleDocId),
            'XroadVnpt-status': 'done',
          }),
        ),
      )
      .willRespondWith(200, (builder) => builder.jsonBody({ status: 'OK', ErrorCode: '0' }))
      .executeTest(async (server) => {
        await new VxpAdapter(server.url).acknowledge(consumerCredentials, exampleDocId, 'done');
      });

    const written = JSON.parse(fs.readFileSync(path.join(pactDir, 'hub-adapter-hub-sandbox.json'), 'utf8')) as {
      metadata: { pactSpecification: { version: string } };
      interactions: unknown[];
    };
    expect(written.metadata.pactSpecification.version).toBe('4.0');
    expect(written.interactions).toHaveLength(3);
  });

  it('the hub sandbox honours the pact: Pact’s verifier replays it, the states set up by a local agency sending', async () => {
    ({ hub, stop: stopHub } = await startTestHubSandbox('pact'));
    const { hubUrl, integrator } = hubAccountsOf(hub.dir);
    expect(hubUrl).toBe(hub.exchangeEnv.HUB_URL);
    const adapter = new VxpAdapter(hubUrl);
    const verify = (pacts: string[]) => verifyHubPacts({ pacts, hubDir: hub!.dir });
    // `npm run contracts:verify` sends this pact to the hub sandbox by the provider it names.
    const file = path.join(pactDir, 'hub-adapter-hub-sandbox.json');
    expect(pactFilesOf([pactDir]).map(providerOf)).toEqual(['hub-sandbox']);

    const { statesSetUp: sent } = await verify([file]);
    expect(sent).toBeGreaterThanOrEqual(3);
    // The acknowledgement the pact replayed really reached the hub: the message it named is no longer offered.
    const waiting = await adapter.listReceived(integrator, 'status');
    expect(waiting.length).toBe(sent - 1);

    // The same pact expecting getEdoc to answer the edXML as something else than base64 fails verification.
    const wrong = fs.mkdtempSync(path.join(os.tmpdir(), 'vanthu-hub-pacts-wrong-'));
    const pact = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      interactions: {
        description: string;
        response: { matchingRules?: { body?: Record<string, { matchers: { regex?: string }[] }> } };
      }[];
    };
    pact.interactions = pact.interactions.filter((i) => i.description === 'a read of one status message');
    const rule = pact.interactions[0]!.response.matchingRules!.body!['$.data']!.matchers[0]!;
    expect(rule.regex).toBe(base64);
    rule.regex = '^<\\?xml';
    fs.writeFileSync(path.join(wrong, 'hub-adapter-hub-sandbox.json'), JSON.stringify(pact));
    await expect(verify([wrong])).rejects.toThrow();
    fs.rmSync(wrong, { recursive: true, force: true });
  }, 300_000);
});
