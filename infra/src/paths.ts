import path from 'node:path';

// One git-ignored directory holds every piece of local state the stack creates, so
// `npm run stack:reset` can wipe it and a fresh clone starts from nothing.
export const repoRoot = path.resolve(__dirname, '..', '..');
export const dataDir = path.resolve(process.env.VANTHU_DATA_DIR ?? path.join(repoRoot, '.data'));
export const logsDir = path.join(dataDir, 'logs');
export const runDir = path.join(dataDir, 'run');

export const dataPath = (...parts: string[]): string => path.join(dataDir, ...parts);
