// Speed check for `softcot grade`: 3,000 realistic lines (1,500 MATH solutions and 1,500 GSM8K
// solutions used as model outputs, every other gold perturbed so half are wrong), graded through
// runGradeCommand. Data is read from ../shared and written to a temp dir, never into the repo.
// Run: npx esbuild packages/rewards/scripts/bench-grade.ts --bundle --platform=node --format=esm \
//        --outfile=/tmp/bench-grade.mjs --log-level=warning && taskset -c 0 node /tmp/bench-grade.mjs
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runGradeCommand } from '../src/grade-command';

const shared = process.env.SOFTCOT_SHARED ?? path.resolve(process.cwd(), '../shared');
const read = (f: string) =>
  readFileSync(path.join(shared, f), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, string>);
const math = read('datasets/math/train.jsonl').slice(0, 1500);
const gsm = read('datasets/gsm8k/train.jsonl').slice(0, 1500);
const lines: string[] = [];
math.forEach((r, i) => lines.push(JSON.stringify({ id: `math-${i}`, pred: r.solution, gold: i % 2 ? `${r.answer}+1` : r.answer })));
gsm.forEach((r, i) => {
  const gold = r.answer!.slice(r.answer!.lastIndexOf('####') + 4).trim();
  lines.push(JSON.stringify({ id: `gsm-${i}`, pred: r.answer, gold: i % 2 ? String(Number(gold.replace(/,/g, '')) + 1) : gold }));
});
const dir = mkdtempSync(path.join(tmpdir(), 'softcot-bench-'));
const input = path.join(dir, 'preds.jsonl');
writeFileSync(input, `${lines.join('\n')}\n`);
const t0 = performance.now();
const code = await runGradeCommand(['--input', input, '--output', path.join(dir, 'verdicts.jsonl')]);
const ms = performance.now() - t0;
console.log(`exit ${code}; ${lines.length} lines (${(readFileSync(input).length / 1e6).toFixed(1)} MB) graded in ${ms.toFixed(0)} ms (${((ms / lines.length) * 1000).toFixed(0)} us/line)`);
rmSync(dir, { recursive: true, force: true });
