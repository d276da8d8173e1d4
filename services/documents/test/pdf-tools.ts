import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Writes bytes to a temp file and returns its path, for the independent command-line checkers. */
export function tempFile(bytes: Buffer, name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vanthu-check-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

/** pdftotext (poppler) output with runs of whitespace collapsed. */
export const pdfText = (bytes: Buffer, page?: number): string =>
  execFileSync(
    'pdftotext',
    [...(page ? ['-f', String(page), '-l', String(page)] : []), tempFile(bytes, 'x.pdf'), '-'],
    { encoding: 'utf8' },
  ).replace(/\s+/g, ' ');

/** qpdf --check exit status (0 = no errors) and its output. */
export function qpdfCheck(bytes: Buffer): { status: number | null; output: string } {
  const result = spawnSync('qpdf', ['--check', tempFile(bytes, 'x.pdf')], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

export const pdfAttachments = (bytes: Buffer): string =>
  execFileSync('pdfdetach', ['-list', tempFile(bytes, 'x.pdf')], { encoding: 'utf8' });

export function pdfAttachment(bytes: Buffer, name: string): string {
  const file = tempFile(bytes, 'x.pdf');
  const out = path.join(path.dirname(file), name);
  const list = execFileSync('pdfdetach', ['-list', file], { encoding: 'utf8' }).split('\n');
  const index = list.findIndex((line) => line.endsWith(` ${name}`));
  execFileSync('pdfdetach', ['-save', String(index), '-o', out, file]);
  return fs.readFileSync(out, 'utf8');
}

export const pdfPageCount = (bytes: Buffer): number =>
  Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [tempFile(bytes, 'x.pdf')], { encoding: 'utf8' }))?.[1]);
