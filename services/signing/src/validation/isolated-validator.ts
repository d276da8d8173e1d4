import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { registerCounter } from '@vanthu/platform';
import type { ValidationReport } from './report';
import type { RevocationOptions } from './revocation-check';
import type { ValidationOptions } from './validate-pdf';
import { DEFAULT_VISUAL } from './visual-check';
import type { VisualOptions } from './visual-check';

export type WorkerOptions = {
  anchors: Uint8Array[];
  intermediates: Uint8Array[];
  validationTime: string;
  revocation: RevocationOptions;
  modificationPolicy: ValidationOptions['modificationPolicy'];
  sha1AcceptedUntil: string | null;
  visual: VisualOptions | false;
};
export type WorkerJob = { id: number; bytes: Uint8Array; options: WorkerOptions };
export type WorkerReply =
  /** Sent once when the worker has loaded its code: only then does a job's deadline start. */
  | { id: 0; type: 'ready' }
  | { id: number; type: 'parsed' }
  | { id: number; type: 'report'; report: ValidationReport }
  | { id: number; type: 'error'; message: string };

export type IsolationSettings = {
  workers: number;
  /** Time to read and check the file itself (loops, bombs): 5 s by default. */
  parseTimeoutMs: number;
  /** Extra time for online revocation after parsing. */
  networkTimeoutMs: number;
  maxHeapMb: number;
};

type Job = {
  id: number;
  bytes: Buffer;
  options: ValidationOptions;
  resolve: (r: ValidationReport) => void;
  reject: (e: Error) => void;
};
/** `ready`: the worker has loaded its code (booting, it may take seconds on a loaded machine). */
type Slot = {
  worker: Worker;
  job: Job | null;
  timer: NodeJS.Timeout | null;
  ready: boolean;
  /** Settles when the worker has loaded its code (or has stopped trying). */
  booted: Promise<void>;
  onBooted: () => void;
};

/** The compiled worker next to this file, or the TypeScript source through tsx when run from sources (tests). */
function workerEntry(): { file: string; execArgv: string[] } {
  const js = path.join(__dirname, 'validation-worker.js');
  if (fs.existsSync(js)) return { file: js, execArgv: [] };
  return { file: path.join(__dirname, 'validation-worker.ts'), execArgv: ['--require', 'tsx/cjs'] };
}

export function formatFailureReport(
  bytes: Buffer,
  options: Pick<ValidationOptions, 'validationTime' | 'revocation'>,
  reason: string,
): ValidationReport {
  return {
    sha256: createHash('sha256').update(bytes).digest('hex'),
    sizeBytes: bytes.length,
    validationTime: options.validationTime.toISOString(),
    revocationMode: options.revocation.mode,
    verdict: 'TOTAL_FAILED',
    verdictSubIndication: 'FORMAT_FAILURE',
    verdictReason: reason,
    revisions: 0,
    signatures: [],
    timings: {},
  };
}

// Files that ran into a deadline or killed their worker (memory): what an operator watches for hostile input.
const workersStopped = registerCounter(
  'vanthu_validation_workers_stopped_total',
  'Validation workers stopped and replaced, by cause: the parse deadline, the revocation deadline, or a crash',
  ['cause'],
);

/**
 * A pool of worker threads that validate PDFs under a heap limit and a deadline. A file that
 * loops, bombs or exhausts memory ends as FORMAT_FAILURE; its worker is replaced.
 */
export class IsolatedValidator {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly settings: IsolationSettings) {
    for (let i = 0; i < settings.workers; i += 1) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const entry = workerEntry();
    const worker = new Worker(entry.file, {
      execArgv: entry.execArgv,
      resourceLimits: { maxOldGenerationSizeMb: this.settings.maxHeapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
    });
    let onBooted = (): void => undefined;
    const booted = new Promise<void>((resolve) => (onBooted = resolve));
    const slot: Slot = { worker, job: null, timer: null, ready: false, booted, onBooted };
    worker.on('message', (message: WorkerReply) => this.onMessage(slot, message));
    worker.on('error', (error) =>
      this.onCrash(
        slot,
        /memory/i.test(error.message) || (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? 'the file needs more memory than a validation may use'
          : `validation failed: ${error.message}`,
      ),
    );
    worker.on('exit', () => this.onCrash(slot, 'the validation worker stopped'));
    // Referenced while it boots, so a caller awaiting a queued job keeps the process alive; after
    // that only a job's own timer does (an idle pool never holds the process open).
    return slot;
  }

  /** Resolves once every worker has loaded its code: a job's deadline then measures only the job. */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.booted));
  }

  validate(bytes: Buffer, options: ValidationOptions): Promise<ValidationReport> {
    if (this.closed) return Promise.reject(new Error('the validator is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, bytes, options, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    for (const slot of this.slots) {
      // A booting worker gets no job: its deadline would run while it loads its code, and on a
      // loaded machine every honest file would end as "could not be read", each kill booting
      // another worker (a cascade).
      if (!slot.ready || slot.job || this.queue.length === 0) continue;
      const job = this.queue.shift() as Job;
      slot.job = job;
      const o = job.options;
      const message: WorkerJob = {
        id: job.id,
        bytes: job.bytes,
        options: {
          anchors: o.trust.anchors.map((c) => c.der),
          intermediates: o.trust.intermediates.map((c) => c.der),
          validationTime: o.validationTime.toISOString(),
          revocation: o.revocation,
          modificationPolicy: o.modificationPolicy,
          sha1AcceptedUntil: o.sha1AcceptedUntil?.toISOString() ?? null,
          // The renderer runs under the worker's own limits: its deadline and its memory.
          visual:
            o.visual === false
              ? false
              : {
                  ...DEFAULT_VISUAL,
                  ...o.visual,
                  timeoutMs: Math.min(o.visual?.timeoutMs ?? Infinity, this.settings.parseTimeoutMs),
                  maxMb: Math.min(o.visual?.maxMb ?? Infinity, this.settings.maxHeapMb),
                },
        },
      };
      slot.timer = setTimeout(() => {
        workersStopped.inc({ cause: 'parse-deadline' });
        this.kill(
          slot,
          `the file could not be read within ${this.settings.parseTimeoutMs} ms (loops or decompression bomb)`,
        );
      }, this.settings.parseTimeoutMs);
      slot.worker.postMessage(message);
    }
  }

  private onMessage(slot: Slot, message: WorkerReply): void {
    if (message.type === 'ready') {
      slot.ready = true;
      slot.worker.unref();
      slot.onBooted();
      this.pump();
      return;
    }
    const job = slot.job;
    if (!job || job.id !== message.id) return;
    if (message.type === 'parsed') {
      if (slot.timer) clearTimeout(slot.timer);
      slot.timer = setTimeout(() => {
        workersStopped.inc({ cause: 'revocation-deadline' });
        this.kill(slot, 'revocation checking took too long');
      }, this.settings.networkTimeoutMs);
      return;
    }
    if (slot.timer) clearTimeout(slot.timer);
    slot.job = null;
    if (message.type === 'report') job.resolve(message.report);
    else job.resolve(formatFailureReport(job.bytes, job.options, `the file cannot be validated: ${message.message}`));
    this.pump();
  }

  private kill(slot: Slot, reason: string): void {
    const job = slot.job;
    slot.job = null;
    slot.timer = null;
    // Replace the slot before terminating: the dying worker's exit must not touch the next job.
    const index = this.slots.indexOf(slot);
    if (index >= 0 && !this.closed) this.slots[index] = this.spawn();
    else if (index >= 0) this.slots.splice(index, 1);
    void slot.worker.terminate();
    if (job) job.resolve(formatFailureReport(job.bytes, job.options, reason));
    this.pump();
  }

  private onCrash(slot: Slot, reason: string): void {
    slot.onBooted();
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    if (!this.closed) workersStopped.inc({ cause: 'crash' });
    if (slot.timer) clearTimeout(slot.timer);
    const job = slot.job;
    slot.job = null;
    if (job) job.resolve(formatFailureReport(job.bytes, job.options, reason));
    if (this.closed) return;
    this.slots[index] = this.spawn();
    this.pump();
  }

  /** Workers busy, files waiting for one, and the pool's size (metrics). */
  load(): { running: number; waiting: number; capacity: number } {
    return {
      running: this.slots.filter((s) => s.job).length,
      waiting: this.queue.length,
      capacity: this.slots.length,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the validator closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
