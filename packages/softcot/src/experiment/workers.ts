// Independent RL runs in parallel processes (tfjs's wasm backend uses one core; two processes use two). Each worker is
// `softcot study --run NAME --out DIR`: it reads DIR/config.json and DIR/base, trains the run and writes its
// evaluation, so the parent only waits. A run's results are the same in a worker as in-process (same seeds, the
// base read from the same file).
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** How to start the CLI: the built dist/cli.js beside this bundle, or src/cli.ts through tsx when run from source. */
function cliCommand(): string[] {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return ['--import', 'tsx', path.join(path.dirname(here), '..', 'cli.ts')];
  return [path.join(path.dirname(here), 'cli.js')];
}

export async function runInWorkers(names: string[], o: { outDir: string; backend: string; workers: number; log: (line: string) => void }): Promise<void> {
  const queue = [...names];
  const failures: string[] = [];
  const children = new Set<ReturnType<typeof spawn>>();
  const worker = async (): Promise<void> => {
    while (queue.length > 0 && failures.length === 0) {
      const name = queue.shift()!;
      // The cores are shared between the workers (the native CPU device would otherwise start a thread per core in each).
      const threads = String(Math.max(1, Math.floor(os.availableParallelism() / o.workers)));
      const env = { ...process.env, SOFTCOT_NUM_THREADS: process.env.SOFTCOT_NUM_THREADS ?? threads };
      const child = spawn(process.execPath, [...cliCommand(), 'study', '--run', name, '--out', o.outDir, '--backend', o.backend], { stdio: ['ignore', 'pipe', 'pipe'], env });
      children.add(child);
      const tail: string[] = [];
      const lines = (chunk: Buffer, keep: boolean) => {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (line.trim() === '') continue;
          if (keep) {
            tail.push(line);
            if (tail.length > 20) tail.shift();
          } else o.log(line);
        }
      };
      child.stdout!.on('data', (b: Buffer) => lines(b, false));
      child.stderr!.on('data', (b: Buffer) => lines(b, true));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      children.delete(child);
      if (code !== 0) failures.push(`run ${name} (worker exit ${code}): ${tail.slice(-3).join(' | ') || 'no output'}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: o.workers }, worker));
  } finally {
    for (const child of children) child.kill('SIGTERM');
  }
  if (failures.length > 0) throw new Error(`${failures.join('; ')}. Rerun the same command to resume.`);
}
