import { spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppError } from '@vanthu/platform';
import type { WorkLoad } from '@vanthu/platform';
import { ConcurrencyLimiter } from './concurrency-limiter';

export type DocxConverterOptions = { sofficePath: string; concurrency: number; maxQueued: number; timeoutMs: number };

export const defaultConverterOptions: DocxConverterOptions = {
  sofficePath: 'soffice',
  concurrency: 2,
  maxQueued: 8,
  timeoutMs: 60_000,
};

/**
 * DOCX → PDF with LibreOffice headless (the Đà Nẵng rules, Khoản 3 Điều 14, accept Word drafts;
 * signing works on the PDF). Each conversion gets its own LibreOffice profile, because
 * concurrent soffice processes sharing one profile fail; at most `concurrency` run at once,
 * at most `maxQueued` wait, and a further request is refused with 503 and Retry-After. A
 * conversion over `timeoutMs` has its whole process group killed.
 */
export class DocxConverter {
  private readonly limiter: ConcurrencyLimiter;

  constructor(private readonly options: DocxConverterOptions = defaultConverterOptions) {
    this.limiter = new ConcurrencyLimiter({
      concurrency: options.concurrency,
      maxQueued: options.maxQueued,
      retryAfterSeconds: 30,
      what: 'DOCX conversions',
    });
  }

  convert(docxPath: string): Promise<Buffer> {
    return this.limiter.run(() => this.run(docxPath));
  }

  /** LibreOffice conversions running and waiting (metrics). */
  load(): WorkLoad {
    return this.limiter.load();
  }

  private async run(docxPath: string): Promise<Buffer> {
    const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'vanthu-docx-'));
    try {
      const input = path.join(work, 'document.docx');
      const outDir = path.join(work, 'out');
      await fsp.copyFile(docxPath, input);
      const args = [
        `-env:UserInstallation=${pathToFileURL(path.join(work, 'profile')).href}`,
        '--headless',
        '--norestore',
        '--nolockcheck',
        '--nodefault',
        '--convert-to',
        'pdf',
        '--outdir',
        outDir,
        input,
      ];
      const outcome = await new Promise<{ code: number | null; timedOut: boolean; stderr: string }>(
        (resolve, reject) => {
          const child = spawn(this.options.sofficePath, args, {
            detached: true,
            stdio: ['ignore', 'ignore', 'pipe'],
            env: { ...process.env, HOME: work },
          });
          let stderr = '';
          let timedOut = false;
          child.stderr.on('data', (chunk: Buffer) => {
            stderr = (stderr + chunk.toString('utf8')).slice(-2000);
          });
          const timer = setTimeout(() => {
            timedOut = true;
            // Negative pid: the whole group, including soffice.bin that the wrapper script starts.
            if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
          }, this.options.timeoutMs);
          child.on('error', (error) => {
            clearTimeout(timer);
            reject(error);
          });
          child.on('close', (code) => {
            clearTimeout(timer);
            resolve({ code, timedOut, stderr });
          });
        },
      );
      if (outcome.timedOut)
        throw new AppError(
          'UNPROCESSABLE',
          `the DOCX could not be converted to PDF within ${Math.round(this.options.timeoutMs / 1000)} s`,
        );
      const output = path.join(outDir, 'document.pdf');
      const pdf = await fsp.readFile(output).catch(() => undefined);
      if (outcome.code !== 0 || !pdf || pdf.length === 0) {
        throw new AppError(
          'UNPROCESSABLE',
          'LibreOffice could not convert the DOCX to PDF; check the file opens in Word',
          { cause: new Error(outcome.stderr) },
        );
      }
      return pdf;
    } finally {
      await fsp.rm(work, { recursive: true, force: true });
    }
  }
}
