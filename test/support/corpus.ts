import fs from 'node:fs';
import path from 'node:path';

// The pyHanko corpus is not part of the repository (docs/domain/signing.md §3): it is kept in a `shared` checkout
// next to the clone (a sibling directory), wherever the repository was cloned; /work/shared on our machines.
const candidates = [
  path.resolve(__dirname, '..', '..', '..', 'shared', 'corpora', 'pyhanko-pdf'),
  '/work/shared/corpora/pyhanko-pdf',
];

export const pyhankoCorpus: string = candidates.find((dir) => fs.existsSync(dir)) ?? (candidates[0] as string);
