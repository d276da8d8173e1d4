import fs from 'node:fs';
import path from 'node:path';

// The shared pyHanko corpus lives beside the repository (`<repo>/../shared`), wherever the
// repository was cloned; /work/shared is where our machines keep it.
const candidates = [
  path.resolve(__dirname, '..', '..', '..', 'shared', 'corpora', 'pyhanko-pdf'),
  '/work/shared/corpora/pyhanko-pdf',
];

export const pyhankoCorpus: string = candidates.find((dir) => fs.existsSync(dir)) ?? (candidates[0] as string);
