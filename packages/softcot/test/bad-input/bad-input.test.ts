// The bad-input corpus (corpus.ts) through the CLI. Every case must end CLEAR: the exit code of its class (1 bad
// input, 2 usage), one error line that names the file and the field, tensor, line or flag, no stack, no internal
// error, no temporary file left behind; and no hang and no crash: the cases run in a child process (runner.ts,
// in-process runCli for speed) watched by a per-case clock; a case that hangs or kills the child fails here, and
// the remaining cases go on in a fresh child.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORPUS, type Area } from './corpus';
import type { CaseResult } from './runner';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../../..');
/** A case that takes longer than this is a hang (the slowest take well under a second). */
const CASE_TIMEOUT_MS = 60_000;

type Outcome = CaseResult & { hang?: boolean; crash?: string };
const results = new Map<string, Outcome>();
let work: string;
let seconds = 0;

/** Run `ids` in a runner; returns the ids left when it hung or died (the one that did it is recorded). */
function runBatch(ids: string[]): Promise<string[]> {
  const idsFile = path.join(work, `ids-${Date.now()}.json`);
  fs.writeFileSync(idsFile, JSON.stringify(ids));
  return new Promise((resolve) => {
    const child: ChildProcess = fork(path.join(here, 'runner.ts'), [work, idsFile], {
      cwd: repo,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let log = '';
    child.stdout!.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-4000)));
    child.stderr!.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-4000)));
    let current: string | null = null;
    let done = 0;
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms = CASE_TIMEOUT_MS) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (current) results.set(current, { id: current, hang: true });
        child.kill('SIGKILL');
      }, ms);
    };
    arm(180_000); // the first message waits for the fixtures
    child.on('message', (m: { start?: string } & CaseResult) => {
      if (m.start !== undefined) {
        current = m.start;
        arm();
        return;
      }
      results.set(m.id, m);
      current = null;
      done++;
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (current && !results.has(current)) results.set(current, { id: current, crash: `runner died (${signal ?? `exit ${code}`}): ${log}` });
      const rest = ids.slice(done + (current ? 1 : 0));
      if (code !== 0 && !current && done < ids.length) {
        // The runner failed outside any case (fixtures): every remaining case reports it.
        for (const id of rest) results.set(id, { id, crash: `runner failed: ${log}` });
        resolve([]);
        return;
      }
      resolve(rest);
    });
  });
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'softcot-bad-input-'));
  const t0 = performance.now();
  let rest = CORPUS.map((c) => c.id);
  while (rest.length > 0) rest = await runBatch(rest);
  seconds = (performance.now() - t0) / 1000;
}, 900_000);

afterAll(() => {
  const counts = new Map<Area, number>();
  for (const c of CORPUS) counts.set(c.area, (counts.get(c.area) ?? 0) + 1);
  console.log(`bad-input corpus: ${CORPUS.length} cases (${[...counts].map(([a, n]) => `${a} ${n}`).join(', ')}) in ${seconds.toFixed(1)} s`);
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

it('has at least 200 cases, with unique ids, in every area', () => {
  expect(CORPUS.length).toBeGreaterThanOrEqual(200);
  expect(new Set(CORPUS.map((c) => c.id)).size).toBe(CORPUS.length);
  for (const area of ['checkpoint', 'config', 'tokenizer', 'dataset', 'forward', 'cli', 'paths'] as const)
    expect(CORPUS.filter((c) => c.area === area).length, area).toBeGreaterThanOrEqual(10);
});

const STACK = /^\s+at .+:\d+:\d+\)?$|^\s+at /;

for (const area of [...new Set(CORPUS.map((c) => c.area))]) {
  describe(area, () => {
    for (const c of CORPUS.filter((x) => x.area === area)) {
      it(c.id.slice(area.length + 1), () => {
        const r = results.get(c.id);
        expect(r, 'no result').toBeDefined();
        expect(r!.hang, `hung for more than ${CASE_TIMEOUT_MS / 1000} s`).toBeUndefined();
        expect(r!.crash, 'crashed the process').toBeUndefined();
        expect(r!.setupError, 'the case could not be built').toBeUndefined();
        const err = r!.err!;
        const text = [...r!.out!, ...err].join('\n');
        expect(r!.code, `exit code; output:\n${text}`).toBe(c.exit);
        for (const l of err) {
          expect(l, 'a stack trace').not.toMatch(STACK);
          expect(l, 'an internal error').not.toMatch(/internal error/);
        }
        let line: string;
        if (c.exit === 1) {
          // One error line, the last thing printed; lines before it may only be notes (no other error).
          const errors = err.filter((l) => /\berror\b/i.test(l));
          expect(errors, `exactly one error line:\n${text}`).toHaveLength(1);
          line = err[err.length - 1]!;
          expect(line).toMatch(/^softcot \w+: error: /);
        } else {
          // The line naming the flag, then the usage.
          const at = err.findIndex((l) => /^softcot( \S+)?: /.test(l) && !/^softcot \w+: error: /.test(l));
          expect(at, `a usage line:\n${text}`).toBeGreaterThanOrEqual(0);
          line = err[at]!;
          expect(err[at + 1]).toBe('');
          expect(err[at + 2], 'the usage follows').toMatch(/^Usage: softcot/);
        }
        expect(line).toMatch(c.error);
        for (const name of r!.names!) expect(line, `names ${JSON.stringify(name)}`).toContain(name);
        expect(r!.leftovers, 'temporary files left behind').toEqual([]);
      });
    }
  });
}
