// Faults injected into node:fs for tests, where a real one cannot be arranged (a full disk needs a small tmpfs,
// which needs root and a mount): the CommonJS fs object is patched and syncBuiltinESMExports() makes every
// `import * as fs from 'node:fs'` see the patch. Only calls through the module's exports are affected (the
// package code's own calls), not Node's internal ones.
import { createRequire, syncBuiltinESMExports } from 'node:module';

const fsc = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');

/** An ENOSPC error as Node raises it. */
export function enospc(syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOSPC: no space left on device, ${syscall}`), { code: 'ENOSPC', errno: -28, syscall });
}

/**
 * A disk that fills up: fs.writeSync and fs.appendFileSync (or only the `calls` given) succeed for `budget` more
 * bytes, then fail with ENOSPC (a write that would cross the budget writes nothing). Returns the function that
 * gives the space back.
 */
export function fillDiskAfter(budget: number, calls: readonly ('writeSync' | 'appendFileSync')[] = ['writeSync', 'appendFileSync']): () => void {
  const original = { writeSync: fsc.writeSync, appendFileSync: fsc.appendFileSync };
  let left = budget;
  const take = (n: number, syscall: string) => {
    if (n > left) {
      left = 0;
      throw enospc(syscall);
    }
    left -= n;
  };
  const patched: Partial<typeof original> = {};
  patched.writeSync = function (this: unknown, fd: number, buffer: string | NodeJS.ArrayBufferView, ...rest: unknown[]) {
    const n = typeof buffer === 'string' ? Buffer.byteLength(buffer) : typeof rest[1] === 'number' ? (rest[1] as number) : buffer.byteLength - ((rest[0] as number | undefined) ?? 0);
    take(n, 'write');
    return (original.writeSync as (...a: unknown[]) => number).call(this, fd, buffer, ...rest);
  } as typeof fsc.writeSync;
  patched.appendFileSync = function (this: unknown, file: unknown, data: string | Uint8Array, ...rest: unknown[]) {
    take(typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength, 'write');
    return (original.appendFileSync as (...a: unknown[]) => void).call(this, file, data, ...rest);
  } as typeof fsc.appendFileSync;
  for (const c of calls) (fsc as unknown as Record<string, unknown>)[c] = patched[c];
  syncBuiltinESMExports();
  return () => {
    Object.assign(fsc, original);
    syncBuiltinESMExports();
  };
}
