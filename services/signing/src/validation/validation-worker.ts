import { parentPort } from 'node:worker_threads';
import { toCert } from '../x509/certificate';
import type { WorkerJob, WorkerReply } from './isolated-validator';
import { validatePdf } from './validate-pdf';

// Runs in a worker thread with resource limits: a hostile PDF can exhaust this thread's heap or
// time, never the service (issue 5 item 6).
const port = parentPort;
if (port) {
  port.on('message', (job: WorkerJob) => {
    const reply = (message: WorkerReply): void => port.postMessage(message);
    const { options } = job;
    validatePdf(Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength), {
      trust: {
        anchors: options.anchors.map((d) => toCert(Buffer.from(d))),
        intermediates: options.intermediates.map((d) => toCert(Buffer.from(d))),
      },
      validationTime: new Date(options.validationTime),
      revocation: options.revocation,
      modificationPolicy: options.modificationPolicy,
      sha1AcceptedUntil: options.sha1AcceptedUntil ? new Date(options.sha1AcceptedUntil) : null,
      visual: options.visual,
      onParsed: () => reply({ id: job.id, type: 'parsed' }),
    })
      .then((report) => reply({ id: job.id, type: 'report', report }))
      .catch((error: unknown) => reply({ id: job.id, type: 'error', message: (error as Error).message }));
  });
  // The code is loaded: the pool may send jobs, each under its deadline from now on.
  port.postMessage({ id: 0, type: 'ready' } satisfies WorkerReply);
}
