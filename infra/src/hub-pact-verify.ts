import fs from 'node:fs';
import path from 'node:path';
import { createHmac } from 'node:crypto';
import { Verifier } from '@pact-foundation/pact';
import { buildStatusMessage } from '../../services/exchange/src/domain/edxml/build-edxml';
import type { HubCredentials } from '../../services/exchange/src/hub/hub-adapter';
import { VxpAdapter, vxpTimestamp } from '../../services/exchange/src/hub/vxp-adapter';
import { integratorAgency } from './hub-sandbox';
import type { StateHandlers } from './pact-verify';

// A hub adapter's pacts (provider `hub-sandbox`), verified by Pact's verifier against the hub sandbox of `npm start`
// as the integrator's agency (000.00.90.H99): the hub's own VXP operations, where vanthu's pacts are verified against
// its gateway. Only the hub's JSON operations can be pacts: sendEdoc's multipart edXML part is matched by Pact's XML
// matcher, which cannot match edXML's default namespace (pact-foundation/pact-js#632).

/** The provider name a hub adapter's pact names; pacts naming it are verified against the hub sandbox. */
export const hubProvider = 'hub-sandbox';

/** The local agency whose account sends what the provider states need (the People's Committee of the test stack). */
const localSender = '000.00.00.H99';

/** A status message (QCVN 102:2016, 03) the local agency sends the integrator about one of the integrator's documents. */
export function statusForIntegrator(number: string): Buffer {
  return buildStatusMessage({
    from: { organId: localSender, organName: 'Ủy ban nhân dân tỉnh Thử Nghiệm' },
    responseFor: {
      organId: integratorAgency.code,
      code: `${number}/HTTH-VP`,
      promulgationDate: '2026-12-04',
      documentId: `${integratorAgency.code},2026/12/04,${number}/HTTH-VP`,
    },
    statusCode: '03',
    description: 'Đã tiếp nhận, vào sổ văn bản đến',
    timestamp: '2026-12-04T10:00:00+07:00',
  });
}

type FilteredRequest = { headers: Record<string, unknown>; body?: unknown };

/**
 * The adapter's credentials at verification, as pact-verify.ts swaps in a bearer token: a pact holds the consumer's
 * VXP headers, signed with a secret the consumer made up at a time long past. Each request is signed again over the
 * same header names, now, with the integrator account's secret (HMAC-SHA256 of the signed headers' JSON), so that
 * the hub checks it as it checks any call.
 */
export function resignVxp(account: HubCredentials) {
  return (request: FilteredRequest, _response: unknown, next: () => void): void => {
    // The verifier's own provider-state calls carry no VXP headers: left as they are.
    if (typeof request.headers['xroadvnpt-sign-header-key'] !== 'string') return next();
    // The VXP reads carry no body (the adapter's fetch sends `content-length: 0`). Pact's proxy forwards a bodyless
    // request chunked, which the hub takes for a body without a content type (415): it goes on with no body, as the
    // pact describes it and the adapter sends it.
    if (request.headers['content-length'] === undefined && request.headers['transfer-encoding'] === undefined) {
      request.body = Buffer.alloc(0);
      request.headers['content-length'] = '0';
    }
    const values: Record<string, string> = {};
    for (const name of String(request.headers['xroadvnpt-sign-header-key']).split(';')) {
      const header = request.headers[`xroadvnpt-${name.toLowerCase()}`];
      values[name] = name === 'systemid' ? account.systemId : decodeURI(String(header ?? ''));
    }
    values.timestamp = vxpTimestamp(new Date());
    const json = JSON.stringify(values);
    for (const [name, value] of Object.entries(values))
      request.headers[`xroadvnpt-${name.toLowerCase()}`] = encodeURI(value);
    request.headers['xroadvnpt-sign-header'] = encodeURI(json);
    request.headers['xroadvnpt-hash-header'] = createHmac('sha256', account.secret).update(json).digest('hex');
    next();
  };
}

/** The provider states a hub adapter's pact may name, set up through the hub itself by a local agency's account. */
export function hubProviderStates(options: { hubUrl: string; sender: HubCredentials }): {
  handlers: StateHandlers;
  sent: () => number;
} {
  const adapter = new VxpAdapter(options.hubUrl);
  let sent = 0;
  return {
    sent: () => sent,
    handlers: {
      'a status message waits for the integrator’s agency': async () => {
        // A new message each time (the hub gives a file sent again the same DocId).
        sent += 1;
        const { docId } = await adapter.sendEdoc(options.sender, {
          messageType: 'status',
          to: [integratorAgency.code],
          edxml: statusForIntegrator(String(100 + sent)),
        });
        if (!docId) throw new Error('the hub sandbox accepted the status message without a DocId');
        return { docId };
      },
    },
  };
}

/** The hub sandbox's folder as `npm start` writes it: its address and the accounts the verification uses. */
export function hubAccountsOf(hubDir: string): { hubUrl: string; integrator: HubCredentials; sender: HubCredentials } {
  const accountFile = path.join(hubDir, 'integrator-account.json');
  if (!fs.existsSync(accountFile)) throw new Error(`no ${accountFile}: run \`npm start\` (it starts the hub sandbox)`);
  const integrator = JSON.parse(fs.readFileSync(accountFile, 'utf8')) as HubCredentials & { hubUrl: string };
  const locals = JSON.parse(fs.readFileSync(path.join(hubDir, 'exchange-accounts.json'), 'utf8')) as HubCredentials[];
  const sender = locals.find((a) => a.agencyCode === localSender);
  if (!sender) throw new Error(`the hub sandbox of ${hubDir} has no account for ${localSender}`);
  return { hubUrl: integrator.hubUrl, integrator, sender };
}

/** Verifies hub adapters' pacts against the hub sandbox whose folder is `hubDir`; rejects naming what failed. */
export async function verifyHubPacts(options: {
  pacts: string[];
  hubDir: string;
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
}): Promise<{ report: unknown; statesSetUp: number }> {
  const { hubUrl, integrator, sender } = hubAccountsOf(options.hubDir);
  const states = hubProviderStates({ hubUrl, sender });
  const report = await new Verifier({
    provider: hubProvider,
    providerBaseUrl: hubUrl,
    pactUrls: options.pacts,
    logLevel: options.logLevel ?? 'warn',
    requestFilter: resignVxp(integrator) as never,
    stateHandlers: states.handlers,
  }).verifyProvider();
  return { report, statesSetUp: states.sent() };
}
