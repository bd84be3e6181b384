// Test plumbing: where the tests find the data that is not committed (../shared beside the repository).
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in <repo>/test-support). */
export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

/**
 * The shared data folder: `SOFTCOT_SHARED` when set, else `<repo>/../shared`. Null when it does not exist, so
 * a test can skip (and say so) instead of failing on a machine without the data.
 */
export function sharedDir(): string | null {
  const env = process.env.SOFTCOT_SHARED;
  const dir = env !== undefined && env !== '' ? resolve(env) : resolve(repoRoot, '..', 'shared');
  try {
    return statSync(dir).isDirectory() ? dir : null;
  } catch {
    return null;
  }
}
