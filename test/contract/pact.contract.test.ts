import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MatchersV3, PactV4, Verifier } from '@pact-foundation/pact';
import { VanthuProblem, createVanthuClient } from '@vanthu/client';
import { pactDocumentSubject, verifyPacts, verifyPactsOnSandbox } from '../../infra/src/pact-verify';
import type { SandboxManifest } from '../../infra/src/sandbox';
import { deleteTokenKeyPair } from '../../infra/src/softhsm';
import { startTestStack } from '../support/test-stack';
import type { TestStack } from '../support/test-stack';

// Consumer-driven contracts for integrators' CI (issue 15): a front end's pact (Pact specification V4, written by
// @pact-foundation/pact's mock server while the front end's code — @vanthu/client — calls it), then verified by
// Pact's own verifier (libpact_ffi) against a real vanthu stack, with the provider states set up through the API.

const { like, uuid, string, fromProviderState } = MatchersV3;
const agency = '000.00.00.H99';
const missingId = '00000000-0000-4000-8000-000000000000';
let pactDir: string;
let stack: TestStack | undefined;
let sandboxDir: string | undefined;

beforeAll(() => {
  pactDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vanthu-pacts-'));
});
afterAll(async () => {
  await stack?.stop();
  // The HSM token is shared by every stack on this machine: remove the seal keys the sandbox seeding generated.
  if (stack && sandboxDir && fs.existsSync(path.join(sandboxDir, 'sandbox.json'))) {
    const manifest = JSON.parse(fs.readFileSync(path.join(sandboxDir, 'sandbox.json'), 'utf8')) as SandboxManifest;
    for (const seal of manifest.seals) await deleteTokenKeyPair(stack.infra.hsm, seal.keyIdHex);
  }
  if (sandboxDir) fs.rmSync(sandboxDir, { recursive: true, force: true });
  fs.rmSync(pactDir, { recursive: true, force: true });
});

describe('a front end (consumer) and vanthu (provider)', () => {
  it('the front end records what it needs from vanthu, calling Pact’s mock with @vanthu/client', async () => {
    const pact = new PactV4({ consumer: 'front-end', provider: 'vanthu', dir: pactDir, logLevel: 'warn' });
    await pact
      .addInteraction()
      .given('an outgoing document exists')
      .uponReceiving('a read of the document')
      .withRequest(
        'GET',
        fromProviderState('/v1/documents/${documentId}', '/v1/documents/3c4f5a1e-6d2b-4c8e-9f10-2a3b4c5d6e7f'),
      )
      .willRespondWith(200, (builder) =>
        builder.jsonBody({
          id: fromProviderState('${documentId}', '3c4f5a1e-6d2b-4c8e-9f10-2a3b4c5d6e7f'),
          agencyCode: agency,
          direction: 'outgoing',
          subject: string(pactDocumentSubject),
          status: 'draft',
          currentVersion: like(1),
        }),
      )
      .executeTest(async (server) => {
        const client = createVanthuClient({ baseUrl: server.url, token: 'consumer-token' });
        const document = await client.GET('/v1/documents/{id}', {
          params: { path: { id: '3c4f5a1e-6d2b-4c8e-9f10-2a3b4c5d6e7f' } },
        });
        expect(document).toMatchObject({ direction: 'outgoing', status: 'draft' });
      });
    await pact
      .addInteraction()
      .uponReceiving('a read of a document that does not exist')
      .withRequest('GET', `/v1/documents/${missingId}`)
      .willRespondWith(404, (builder) =>
        builder
          .headers({ 'Content-Type': 'application/problem+json' })
          .jsonBody({ status: 404, code: 'NOT_FOUND', title: string('Not Found') }),
      )
      .executeTest(async (server) => {
        const client = createVanthuClient({ baseUrl: server.url, token: 'consumer-token' });
        const error = await client
          .GET('/v1/documents/{id}', { params: { path: { id: missingId } } })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(VanthuProblem);
        expect((error as VanthuProblem).code).toBe('NOT_FOUND');
      });
    await pact
      .addInteraction()
      .uponReceiving('a new outgoing register')
      .withRequest('POST', '/v1/registers', (builder) =>
        builder.jsonBody({ name: 'Sổ công văn đi (pact)', direction: 'outgoing' }),
      )
      .willRespondWith(201, (builder) =>
        builder.jsonBody({ id: uuid(), name: 'Sổ công văn đi (pact)', direction: 'outgoing', agencyCode: agency }),
      )
      .executeTest(async (server) => {
        const client = createVanthuClient({ baseUrl: server.url, token: 'consumer-token' });
        const register = await client.POST('/v1/registers', {
          body: { name: 'Sổ công văn đi (pact)', direction: 'outgoing' },
        });
        expect(register.direction).toBe('outgoing');
      });

    const written = JSON.parse(fs.readFileSync(path.join(pactDir, 'front-end-vanthu.json'), 'utf8')) as {
      metadata: { pactSpecification: { version: string } };
      interactions: unknown[];
    };
    expect(written.metadata.pactSpecification.version).toBe('4.0');
    expect(written.interactions).toHaveLength(3);
  });

  it('vanthu honours the pact: Pact’s verifier replays it against a real stack, states set up on the seeded sandbox', async () => {
    stack = await startTestStack('pact');
    sandboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vanthu-pact-sandbox-'));
    // What `npm run contracts:verify -- --pacts DIR` runs: seed the sandbox, then verify every pact of the folder.
    await expect(
      verifyPactsOnSandbox({ pacts: [pactDir], gatewayUrl: stack.gatewayUrl, infra: stack.infra, outDir: sandboxDir }),
    ).resolves.toBeDefined();
    // The register the pact asked for is really there, in the sandbox province.
    const manifest = JSON.parse(fs.readFileSync(path.join(sandboxDir, 'sandbox.json'), 'utf8')) as SandboxManifest;
    const clerk = createVanthuClient({
      baseUrl: stack.gatewayUrl,
      token: manifest.logins.find((l) => l.role === 'clerk')!.token,
    });
    expect((await clerk.GET('/v1/registers')).items.map((r) => r.name)).toContain('Sổ công văn đi (pact)');
  }, 400_000);

  it('a pact whose expectation vanthu does not meet fails verification', async () => {
    const wrong = fs.mkdtempSync(path.join(os.tmpdir(), 'vanthu-pacts-wrong-'));
    const pact = JSON.parse(fs.readFileSync(path.join(pactDir, 'front-end-vanthu.json'), 'utf8')) as {
      interactions: { description: string; response: { status: number } }[];
    };
    // The same pact, but the missing document is expected to answer 410.
    pact.interactions = pact.interactions.filter((i) => i.description.includes('does not exist'));
    pact.interactions[0]!.response.status = 410;
    fs.writeFileSync(path.join(wrong, 'front-end-vanthu.json'), JSON.stringify(pact));
    const token = await stack!.token({ user: 'van-thu', agency, roles: ['clerk'] });
    await expect(verifyPacts({ pacts: [wrong], gatewayUrl: stack!.gatewayUrl, token })).rejects.toThrow(/410/);
    fs.rmSync(wrong, { recursive: true, force: true });
  });

  it('a pact file that does not parse, or is not a pact, is refused with an error naming the file', async () => {
    const broken = path.join(pactDir, 'broken-pact.json');
    fs.writeFileSync(broken, '{"consumer": {"name": "x"}, "interactions": [');
    const gatewayUrl = stack?.gatewayUrl ?? 'http://127.0.0.1:9';
    await expect(verifyPacts({ pacts: [broken], gatewayUrl, token: 't' })).rejects.toThrow(
      `${broken} is not a pact: it does not parse as JSON`,
    );
    // In a folder, beside a good pact: nothing is verified, the bad one is named.
    await expect(verifyPacts({ pacts: [pactDir], gatewayUrl, token: 't' })).rejects.toThrow(broken);
    fs.writeFileSync(broken, '{"provider": {"name": "vanthu"}}');
    await expect(verifyPacts({ pacts: [broken], gatewayUrl, token: 't' })).rejects.toThrow(
      `${broken} is not a pact: it needs consumer.name and an interactions array`,
    );
    // Pact's own loader, given such a file directly, names it too.
    fs.writeFileSync(broken, '{"consumer": {"name": "x"}, "interactions": [');
    const error = await new Verifier({
      provider: 'vanthu',
      providerBaseUrl: gatewayUrl,
      pactUrls: [broken],
      logLevel: 'error',
    })
      .verifyProvider()
      .catch((e: unknown) => e);
    expect(String((error as Error).message ?? error)).toContain(broken);
    fs.rmSync(broken);
  });
});
