// Speed check for `softcot grade`: 3,000 realistic lines (1,500 MATH solutions and 1,500 GSM8K
// solutions used as model outputs, every other gold perturbed so half are wrong), graded through
// the `softcot grade` command in each extraction mode:
//   markers      the solutions as written (last \boxed{} / #### n);
//   math-verify  the same solutions without their markers (\boxed{X} -> X, "####" -> "The answer is"), so the
//                answer must be found in free text (last math environment, "the answer is", plain numbers);
//   answer       the reference answers themselves.
// Data is read from ../shared and written to a temp dir, never into the repo.
// Run: npx esbuild packages/rewards/scripts/bench-grade.ts --bundle --platform=node --format=esm \
//        --outfile=/tmp/bench-grade.mjs --log-level=warning && taskset -c 0 node /tmp/bench-grade.mjs
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { withoutMarkers } from './solutions-without-markers';
import { gradeCommand } from '../../softcot/src/commands/grade';
import type { ExtractMode } from '../src/extract';

const shared = process.env.SOFTCOT_SHARED ?? path.resolve(process.cwd(), '../shared');
const read = (f: string) =>
  readFileSync(path.join(shared, f), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, string>);
const math = read('datasets/math/train.jsonl').slice(0, 1500);
const gsm = read('datasets/gsm8k/train.jsonl').slice(0, 1500);

function lines(mode: ExtractMode): string[] {
  const out: string[] = [];
  const pred = (solution: string, answer: string) =>
    mode === 'markers' ? solution : mode === 'answer' ? answer : withoutMarkers(solution);
  math.forEach((r, i) => out.push(JSON.stringify({ id: `math-${i}`, pred: pred(r.solution!, r.answer!), gold: i % 2 ? `${r.answer}+1` : r.answer })));
  gsm.forEach((r, i) => {
    const gold = r.answer!.slice(r.answer!.lastIndexOf('####') + 4).trim();
    out.push(JSON.stringify({ id: `gsm-${i}`, pred: pred(r.answer!, gold), gold: i % 2 ? String(Number(gold.replace(/,/g, '')) + 1) : gold }));
  });
  return out;
}

const dir = mkdtempSync(path.join(tmpdir(), 'softcot-bench-'));
for (const mode of ['markers', 'math-verify', 'answer'] as const) {
  const input = path.join(dir, `${mode}.jsonl`);
  const rows = lines(mode);
  writeFileSync(input, `${rows.join('\n')}\n`);
  let summary = '';
  const t0 = performance.now();
  const code = await gradeCommand.run(['--input', input, '--output', path.join(dir, `${mode}-verdicts.jsonl`), '--extract', mode], {
    stdout: (l) => (summary = l),
    stderr: () => undefined,
  });
  const ms = performance.now() - t0;
  console.log(`${mode.padEnd(11)} exit ${code}; ${rows.length} lines (${(readFileSync(input).length / 1e6).toFixed(1)} MB) graded in ${ms.toFixed(0)} ms (${((ms / rows.length) * 1000).toFixed(0)} us/line); ${summary}`);
}
rmSync(dir, { recursive: true, force: true });
