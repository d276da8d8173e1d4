// Signing through the gateway, as a user meets it: the built services and gateway as separate processes (the e2e
// stack), the seal of the agency's HSM key applied to stored documents (kind attachment, with its appearance), each
// signature a round trip gateway → signing → documents (read the current version, store the signed one). The
// gateway's per-user rate limit is lifted for the run (it is a policy, not a cost), so the figure is the system's.
import os from 'node:os';
import path from 'node:path';
import { startTestStack } from '../../test/support/test-stack';
import { gatewayClient } from '../../test/support/gateway-client';
import { cpuWindow, pidOnPort, textIndexSettled } from '../support/process-cpu';

export type SigningThroughGateway = {
  opsPerSecond: number;
  count: number;
  concurrency: number;
  /** CPU milliseconds each process spent per signature during the measured window. */
  cpuMsPerSignature: Record<string, number>;
  loadAverage: number[];
  /** Whether the uploads' text extraction had finished before the window (it is waited for, 5 minutes at most). */
  textIndexSettledBefore: boolean;
  /** Whether the signed versions' indexing had finished when the CPU was read after the window. */
  textIndexSettledAfter: boolean;
  /** CPU is read once documents has indexed every signed version: work a signature leaves behind is its cost. */
};

/** With CPU_PROFILE_DIR set, the gateway, signing and documents are profiled over exactly the window (SIGUSR2). */
const profileDir = process.env.CPU_PROFILE_DIR;

export async function signaturesThroughGateway(options: {
  input: Buffer;
  agencyCode: string;
  seconds: number;
  concurrency: number;
  /** Documents are uploaded for this rate over the window (each is signed once); running out fails the run. */
  expectedPerSecond: number;
}): Promise<SigningThroughGateway> {
  if (profileDir)
    process.env.NODE_OPTIONS = `--require ${path.join(__dirname, '..', 'support', 'cpu-profile-preload.cjs')}`;
  const stack = await startTestStack('benchsign', { env: { gateway: { RATE_LIMIT_PER_MINUTE: '10000000' } } });
  delete process.env.NODE_OPTIONS;
  try {
    const clerk = gatewayClient(
      stack.gatewayUrl,
      await stack.token({ user: 'bench', agency: options.agencyCode, roles: ['clerk'] }),
    );
    // One fresh document per signature: signing the same file again measures a growing file and its earlier seals.
    const needed = Math.ceil(options.seconds * options.expectedPerSecond) + options.concurrency * 2;
    const ids: string[] = [];
    for (let i = 0; i < needed; i += 8) {
      const created = await Promise.all(
        Array.from({ length: Math.min(8, needed - i) }, (_, j) =>
          clerk.uploadDocument(options.input, { direction: 'outgoing', subject: `Bench ${i + j}` }),
        ),
      );
      for (const c of created) {
        if (c.status !== 201) throw new Error(`upload ${c.status}`);
        ids.push((c.body as { id: string }).id);
      }
    }
    const sign = async (id: string): Promise<void> => {
      const r = await clerk.call('POST', `/v1/documents/${id}/signatures`, {
        body: Buffer.from(JSON.stringify({ kind: 'attachment', notation: '15/UBND-VP', level: 'B-B' })),
        contentType: 'application/json',
      });
      if (r.status !== 201) throw new Error(`sign ${r.status} ${JSON.stringify(r.body)}`);
    };
    // Warm-up: the first signatures open HSM sessions and load fonts.
    await Promise.all(ids.splice(0, options.concurrency * 2).map(sign));
    // The uploads' text extraction is left to finish first: the window measures signing, not the set-up's indexing.
    const textIndexSettledBefore = await textIndexSettled(stack.envs.documents.DATABASE_URL as string);
    const pids = {
      gateway: pidOnPort(stack.ports.gateway),
      signing: pidOnPort(stack.ports.signing),
      documents: pidOnPort(stack.ports.documents),
    };
    const toggle = () => {
      if (profileDir) for (const pid of Object.values(pids)) process.kill(pid, 'SIGUSR2');
    };
    const cpu = await cpuWindow(pids, [
      stack.envs.signing.DATABASE_URL as string,
      stack.envs.documents.DATABASE_URL as string,
    ]);
    toggle();
    let count = 0;
    const started = performance.now();
    const end = started + options.seconds * 1000;
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (performance.now() < end) {
          const id = ids.pop();
          if (!id) throw new Error('ran out of documents: raise the number uploaded');
          await sign(id);
          count += 1;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    // The work a signature leaves behind counts too: documents indexes each new version's text in the background.
    const textIndexSettledAfter = await textIndexSettled(stack.envs.documents.DATABASE_URL as string);
    toggle();
    const spent = await cpu();
    return {
      opsPerSecond: count / elapsed,
      count,
      concurrency: options.concurrency,
      cpuMsPerSignature: Object.fromEntries(Object.entries(spent).map(([name, ms]) => [name, ms / count])),
      loadAverage: os.loadavg(),
      textIndexSettledBefore,
      textIndexSettledAfter,
    };
  } finally {
    await stack.stop();
  }
}
