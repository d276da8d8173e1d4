import { randomUUID } from 'node:crypto';
import { systemClock } from '@vanthu/platform';
import type { Clock, Logger } from '@vanthu/platform';
import { serviceContext } from './context';
import { checkCertificates } from './certificates/check-certificates';
import type { SigningDeps } from './signatures/signing-deps';

/**
 * Runs the certificate check for every agency every `intervalSeconds` (and once shortly after start), so a
 * certificate its CA revoked or that expired is suspended, and routing's gating learns of it, without
 * waiting for its holder to try to sign. One run at a time; a failed run is logged and retried next time.
 */
export class CertificateCheckWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly signing: SigningDeps,
    private readonly logger: Logger,
    private readonly intervalSeconds: number,
    private readonly clock: Clock = systemClock,
  ) {}

  start(): void {
    if (this.intervalSeconds <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.runOnce(), this.intervalSeconds * 1000);
    this.timer.unref();
    setTimeout(() => void this.runOnce(), 5_000).unref();
  }

  async runOnce(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        const result = await checkCertificates(
          {},
          serviceContext(this.signing, this.logger, this.clock, `certificate-check-${randomUUID()}`),
        );
        if (result.suspended.length || result.unchecked.length)
          this.logger.info(
            { checked: result.checked, suspended: result.suspended.length, unchecked: result.unchecked.length },
            'certificates checked',
          );
      } catch (error) {
        this.logger.warn({ err: error }, 'certificate check failed; retried at the next interval');
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
