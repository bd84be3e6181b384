import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/commands/index';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) }, out, err };
}

/** `softcot grade ARGS` in-process. */
const runGradeCommand = (argv: string[], io: ReturnType<typeof capture>['io']) => runCli(['grade', ...argv], io);

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'softcot-grade-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('softcot grade', () => {
  it('adds correct/extracted, keeps other fields, reports malformed lines, prints a summary', async () => {
    const dir = tmp();
    const input = path.join(dir, 'preds.jsonl');
    const output = path.join(dir, 'verdicts.jsonl');
    writeFileSync(
      input,
      [
        JSON.stringify({ id: 'a', pred: 'so the answer is \\boxed{\\frac{1}{2}}', gold: '0.5', extra: { k: [1, 2] } }),
        '',
        JSON.stringify({ id: 'b', pred: 'blah\n#### 1,000', gold: '1000' }),
        '{not json',
        JSON.stringify({ id: 'c', pred: '\\boxed{7}', gold: '8' }),
        JSON.stringify({ id: 'd', pred: 'no answer here 42', gold: '42' }),
        JSON.stringify({ id: 'e', gold: '1' }),
        JSON.stringify({ id: 'f', pred: 5, gold: '5' }),
        '[1,2]',
        '   ',
      ].join('\n'),
    );
    // A malformed line is an error naming its line, and nothing is written...
    const strict = capture();
    expect(await runGradeCommand(['--input', input, '--output', output], strict.io)).toBe(1);
    expect(strict.err).toEqual([`softcot grade: error: ${input}:4: malformed line: invalid JSON: ${strict.err[0]!.split('invalid JSON: ')[1]}`]);
    expect(strict.err[0]).toMatch(/pass --skip-bad-rows/);
    expect(readdirSync(dir)).toEqual(['preds.jsonl']);
    // ... unless --skip-bad-rows: each one reported and counted, the rest graded.
    const c = capture();
    const code = await runGradeCommand(['--input', input, '--output', output, '--skip-bad-rows'], c.io);
    expect(code).toBe(0);
    const rows = readFileSync(output, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(rows[0]).toEqual({ id: 'a', pred: 'so the answer is \\boxed{\\frac{1}{2}}', gold: '0.5', extra: { k: [1, 2] }, correct: true, extracted: '\\frac{1}{2}' });
    expect(rows[1]).toMatchObject({ correct: true, extracted: '1,000' });
    expect(rows[2]).toMatchObject({ correct: false, extracted: '7' });
    expect(rows[3]).toMatchObject({ correct: false, extracted: null });
    // malformed: line 4 (bad JSON), 7 (no pred), 8 (pred not a string), 9 (not an object)
    expect(c.err.length).toBe(4);
    expect(c.err[0]).toMatch(/:4: malformed line: invalid JSON/);
    expect(c.err[1]).toMatch(/:7: .*pred/);
    expect(c.err[2]).toMatch(/:8: .*pred/);
    expect(c.err[3]).toMatch(/:9: .*not a JSON object/);
    expect(c.out).toHaveLength(1);
    expect(c.out[0]).toMatch(/accuracy 50\.00% \(2\/4 correct\), 4 graded, 4 malformed/);
    // atomic write: no temp files left behind
    expect(readdirSync(dir).sort()).toEqual(['preds.jsonl', 'verdicts.jsonl']);
  });

  it('--gold-is-solution, --last-number-fallback and --rel-tol', async () => {
    const dir = tmp();
    const input = path.join(dir, 'in.jsonl');
    writeFileSync(
      input,
      [
        JSON.stringify({ pred: 'I think 72', gold: 'Natalia sold 48/2 = <<48/2=24>>24 clips.\n#### 72' }),
        JSON.stringify({ pred: '\\boxed{3.1416}', gold: 'Thus $\\boxed{\\pi}$ or rather $\\boxed{3.14159265}$.' }),
      ].join('\n') + '\n',
    );
    const strict = capture();
    expect(await runGradeCommand(['--input', input, '--output', path.join(dir, 'o1.jsonl'), '--gold-is-solution'], strict.io)).toBe(0);
    expect(readFileSync(path.join(dir, 'o1.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).correct)).toEqual([false, false]);
    const loose = capture();
    const code = await runGradeCommand(
      ['--input', input, '--output', path.join(dir, 'o2.jsonl'), '--gold-is-solution', '--last-number-fallback', '--rel-tol=1e-4'],
      loose.io,
    );
    expect(code).toBe(0);
    const rows = readFileSync(path.join(dir, 'o2.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => [r.correct, r.extracted])).toEqual([[true, '72'], [true, '3.1416']]);
    expect(loose.out[0]).toMatch(/accuracy 100\.00%/);
  });

  it('--extract markers|math-verify|answer', async () => {
    const dir = tmp();
    const input = path.join(dir, 'in.jsonl');
    writeFileSync(
      input,
      [
        JSON.stringify({ pred: 'Thus the answer is $\\frac{1}{2}$.', gold: '0.5' }),
        JSON.stringify({ pred: '0.5', gold: '\\frac12' }),
        JSON.stringify({ pred: 'The final answer is: \\boxed{\\frac{1}{2}', gold: '0.5' }),
      ].join('\n'),
    );
    const verdicts = async (mode: string) => {
      const out = path.join(dir, `${mode}.jsonl`);
      expect(await runGradeCommand(['--input', input, '--output', out, '--extract', mode], capture().io)).toBe(0);
      return readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l).correct as boolean);
    };
    expect(await verdicts('markers')).toEqual([false, false, false]);
    expect(await verdicts('math-verify')).toEqual([true, true, true]);
    expect(await verdicts('answer')).toEqual([false, true, false]);
    const bad = capture();
    expect(await runGradeCommand(['--input', input, '--output', path.join(dir, 'x.jsonl'), '--extract', 'regex'], bad.io)).toBe(2);
    expect(bad.err[0]).toBe('softcot grade: flag --extract must be one of markers, math-verify, answer, got "regex"');
    const both = capture();
    expect(await runGradeCommand(['--input', input, '--output', path.join(dir, 'x.jsonl'), '--extract=answer', '--last-number-fallback'], both.io)).toBe(2);
    expect(both.err[0]).toMatch(/--last-number-fallback only applies to --extract markers/);
  });

  it('warns about gold solutions without an answer and fails cleanly on an unwritable output or the input as output', async () => {
    const dir = tmp();
    const input = path.join(dir, 'in.jsonl');
    writeFileSync(input, `${JSON.stringify({ pred: '\\boxed{1}', gold: 'no final answer' })}\n`);
    const c = capture();
    expect(await runGradeCommand(['--input', input, '--output', path.join(dir, 'o.jsonl'), '--gold-is-solution'], c.io)).toBe(0);
    expect(c.err[0]).toMatch(/:1: warning: no \\boxed\{\} or #### answer in gold/);
    expect(c.out[0]).toMatch(/0\/1 correct/);
    const blocker = path.join(dir, 'a-file');
    writeFileSync(blocker, '');
    const d = capture();
    expect(await runGradeCommand(['--input', input, '--output', path.join(blocker, 'o.jsonl')], d.io)).toBe(1);
    expect(d.err).toEqual([`softcot grade: error: ${blocker}/o.jsonl: cannot inspect the output: a part of the path is not a folder (ENOTDIR)`]);
    const same = capture();
    expect(await runGradeCommand(['--input', input, '--output', input], same.io)).toBe(2);
    expect(same.err[0]).toBe(`softcot grade: --output ${input} is the input --input ${input}; write the output elsewhere`);
  });

  it('missing input file: one line naming it, exit 1', async () => {
    const c = capture();
    const code = await runGradeCommand(['--input', '/nonexistent/x.jsonl', '--output', path.join(tmp(), 'o.jsonl')], c.io);
    expect(code).toBe(1);
    expect(c.err).toEqual(['softcot grade: error: /nonexistent/x.jsonl: input file not found']);
  });

  it('unknown flags, missing values and missing required flags: exit 2', async () => {
    const a = capture();
    expect(await runGradeCommand(['--input', 'a', '--output', 'b', '--frobnicate'], a.io)).toBe(2);
    expect(a.err[0]).toBe('softcot grade: unknown flag --frobnicate');
    const b = capture();
    expect(await runGradeCommand(['--input', 'a'], b.io)).toBe(2);
    expect(b.err[0]).toBe('softcot grade: missing required flag --output');
    const c = capture();
    expect(await runGradeCommand(['--input', 'a', '--output', 'b', '--rel-tol', 'abc'], c.io)).toBe(2);
    expect(c.err[0]).toMatch(/--rel-tol/);
  });

  it('--help prints usage and exits 0', async () => {
    const c = capture();
    expect(await runGradeCommand(['--help'], c.io)).toBe(0);
    expect(c.out.join('\n')).toMatch(/Usage: softcot grade --input preds\.jsonl --output verdicts\.jsonl/);
    expect(c.out.join('\n')).toMatch(/NOT written to the output/);
    expect(c.out.join('\n')).toMatch(/--skip-bad-rows/);
    expect(c.out.join('\n')).toMatch(/--extract MODE .*\n.*markers .*\n[\s\S]*math-verify[\s\S]*answer +pred already is the answer/);
  });

  it('grades 3,000 typical lines quickly', async () => {
    const dir = tmp();
    const input = path.join(dir, 'big.jsonl');
    const kinds = [
      (i: number) => ({ pred: `Let me compute... so the total is \\boxed{${i}}.`, gold: String(i) }),
      (i: number) => ({ pred: `Step 1 ... Step 2 ...\nThe final answer is $\\frac{${i}}{${i + 1}}$. I hope it is correct.`, gold: `\\dfrac{${i}}{${i + 1}}` }),
      (i: number) => ({ pred: `We get $x = \\boxed{${i % 7}\\sqrt{2}}$`, gold: `\\sqrt{${2 * (i % 7) ** 2}}` }),
      (i: number) => ({ pred: `reasoning ${'blah '.repeat(100)} #### ${i + 1}`, gold: String(i) }),
      (i: number) => ({ pred: `\\boxed{(${i}, ${i + 2})}`, gold: `(${i},${i + 2})` }),
      (i: number) => ({ pred: `\\boxed{x^2 + ${i}x}`, gold: `x(x+${i})` }),
    ];
    writeFileSync(input, Array.from({ length: 3000 }, (_, i) => JSON.stringify(kinds[i % kinds.length]!(i))).join('\n'));
    const c = capture();
    const t0 = performance.now();
    expect(await runGradeCommand(['--input', input, '--output', path.join(dir, 'out.jsonl')], c.io)).toBe(0);
    const ms = performance.now() - t0;
    console.log(`[rewards] graded 3000 lines in ${ms.toFixed(0)} ms`);
    expect(c.out[0]).toMatch(/2500\/3000 correct/);
    expect(ms).toBeLessThan(30_000);
  });
});
