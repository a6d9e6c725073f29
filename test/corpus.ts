// Locates the shared read-only test corpus (see /work/shared/corpus/MANIFEST.md). Tests skip, saying why, when it
// is absent; the corpus is never copied into the repository.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function corpusDir(): string | undefined {
  const fromEnv = process.env.CORELAB_CORPUS;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  for (const candidate of [path.resolve(repoRoot, '../shared/corpus'), '/work/shared/corpus']) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
