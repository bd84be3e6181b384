// Runs bad-input cases in this process through the CLI's own entry point (runCli), one after the other, and reports
// each result to the parent over IPC. The parent (bad-input.test.ts) owns the clock: a case that hangs or crashes
// this process is reported by it, and the rest run in a fresh runner.
//   node --import tsx runner.ts <work folder> <file with a JSON list of case ids>
import * as fs from 'node:fs';
import * as path from 'node:path';
import { useBackend } from '@softcot/model';
import { runCli } from '../../src/commands/index';
import { CORPUS } from './corpus';
import { CaseContext, makeFixtures, type Fixtures } from './fixtures';

export interface CaseResult {
  id: string;
  code?: number;
  out?: string[];
  err?: string[];
  names?: string[];
  /** Temporary files left anywhere in the case folder. */
  leftovers?: string[];
  setupError?: string;
  ms?: number;
}

const send = (m: unknown) => new Promise<void>((resolve) => process.send!(m, () => resolve()));

function leftovers(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (/\.tmp-\d+/.test(e.name)) found.push(path.relative(dir, path.join(d, e.name)));
      if (e.isDirectory() && !e.isSymbolicLink()) walk(path.join(d, e.name));
    }
  };
  walk(dir);
  return found;
}

async function main(): Promise<void> {
  const [work, idsFile] = process.argv.slice(2) as [string, string];
  const ids = JSON.parse(fs.readFileSync(idsFile, 'utf8')) as string[];
  await useBackend('cpu');
  const fxFile = path.join(work, 'fixtures.json');
  let fx: Fixtures;
  if (fs.existsSync(fxFile)) fx = JSON.parse(fs.readFileSync(fxFile, 'utf8')) as Fixtures;
  else {
    fx = await makeFixtures(path.join(work, 'fixtures'));
    fs.writeFileSync(fxFile, JSON.stringify(fx));
  }
  for (const id of ids) {
    const spec = CORPUS.find((c) => c.id === id)!;
    await send({ start: id });
    const dir = path.join(work, 'cases', id.replace(/\//g, '__'));
    fs.mkdirSync(dir, { recursive: true });
    const out: string[] = [];
    const err: string[] = [];
    // What the library prints itself (the trainer's notes) is part of what a user sees.
    const saved = { log: console.log, error: console.error, warn: console.warn };
    console.log = (...a: unknown[]) => void out.push(a.join(' '));
    console.error = console.warn = (...a: unknown[]) => void err.push(a.join(' '));
    const t0 = performance.now();
    let result: CaseResult;
    try {
      const { argv, names } = spec.setup(new CaseContext(dir, fx));
      const code = await runCli(argv, { stdout: (l) => out.push(l), stderr: (l) => err.push(l), status: () => {} });
      result = { id, code, out, err, names, leftovers: leftovers(dir) };
    } catch (e) {
      result = { id, setupError: (e as Error).stack ?? String(e) };
    } finally {
      Object.assign(console, saved);
    }
    result.ms = Math.round(performance.now() - t0);
    await send(result);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`runner: ${(e as Error).stack ?? e}\n`);
    process.exit(3);
  },
);
