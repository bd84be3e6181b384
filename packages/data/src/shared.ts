import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isRepoRoot(dir: string): boolean {
  if (existsSync(join(dir, '.ci'))) return true;
  const pkg = join(dir, 'package.json');
  if (!existsSync(pkg)) return false;
  try {
    const json = JSON.parse(readFileSync(pkg, 'utf8')) as { workspaces?: unknown };
    return json.workspaces !== undefined;
  } catch {
    return false;
  }
}

/** The repository root (a folder with `.ci` or a package.json with workspaces) at or above `from`, or null. */
export function findRepoRoot(from: string = process.cwd()): string | null {
  let dir = resolve(from);
  for (;;) {
    if (isRepoRoot(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/**
 * The shared data folder: `process.env.SOFTCOT_SHARED` when set, else the folder `shared` next to the repository
 * root (`<repo>/../shared`), found by walking up from the current directory. Null when it does not exist.
 */
export function sharedDir(): string | null {
  const env = process.env.SOFTCOT_SHARED;
  if (env !== undefined && env !== '') return isDir(env) ? resolve(env) : null;
  const root = findRepoRoot();
  if (root === null) return null;
  const candidate = resolve(root, '..', 'shared');
  return isDir(candidate) ? candidate : null;
}
