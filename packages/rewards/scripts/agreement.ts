// Agreement of the grader with its own equivalence table (packages/rewards/test/equivalence-table.ts),
// per category and per extraction mode, plus the extraction cases: the figures in docs/grader.md.
// A pair agrees when the verdict equals the table's `equal`; known limits are counted as disagreements.
// Last, if ../shared holds the train sets: how often `math-verify` mode finds the right answer in the
// reference solutions once their markers are removed (free text with no \boxed{} and no ####).
// Run: npx tsx packages/rewards/scripts/agreement.ts
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { EXTRACT_MODES, gradeCompletion, type ExtractMode } from '../src/index';
import { withoutMarkers } from './solutions-without-markers';
import { CATEGORIES, TABLE } from '../test/equivalence-table';
import { EXTRACTION_CASES } from '../test/extraction-cases';
import { modelOutput } from '../test/model-outputs';

const pct = (a: number, n: number) => `${a}/${n} (${((100 * a) / n).toFixed(1)}%)`;
const header = `| category | pairs (equal / near-miss) | ${EXTRACT_MODES.join(' | ')} |`;
console.log(header);
console.log(`| --- | --- | ${EXTRACT_MODES.map(() => '---').join(' | ')} |`);
const totals = new Map<ExtractMode, number>(EXTRACT_MODES.map((m) => [m, 0]));
let all = 0;
const disagreements: string[] = [];
for (const c of CATEGORIES) {
  const pairs = TABLE[c];
  all += pairs.length;
  const cells = EXTRACT_MODES.map((mode) => {
    let agree = 0;
    pairs.forEach(([pred, gold, equal], k) => {
      const g = gradeCompletion(modelOutput(pred, mode, k), gold, { extract: mode });
      if (g.correct === equal) agree++;
      else if (mode === 'answer') disagreements.push(`${c}: ${pred} vs ${gold} -> ${g.correct}`);
    });
    totals.set(mode, totals.get(mode)! + agree);
    return pct(agree, pairs.length);
  });
  console.log(`| ${c} | ${pairs.length} (${pairs.filter((p) => p[2]).length} / ${pairs.filter((p) => !p[2]).length}) | ${cells.join(' | ')} |`);
}
console.log(`| **all** | ${all} | ${EXTRACT_MODES.map((m) => `**${pct(totals.get(m)!, all)}**`).join(' | ')} |`);
console.log();
console.log('| extraction cases | agree |');
console.log('| --- | --- |');
for (const mode of EXTRACT_MODES) {
  const cases = EXTRACTION_CASES.filter((c) => c.mode === mode);
  const agree = cases.filter((c) => {
    const g = gradeCompletion(c.completion, c.gold, { extract: mode });
    return g.correct === c.equal && (c.extracted === undefined || g.extracted === c.extracted);
  }).length;
  console.log(`| ${mode} | ${pct(agree, cases.length)} |`);
}
console.log();
console.log(`Disagreements (answer mode, the known limits): ${disagreements.length}`);
for (const d of disagreements) console.log(`- ${d}`);

const shared = process.env.SOFTCOT_SHARED ?? path.resolve(process.cwd(), '../shared');
type Row = Record<string, string>;
const sets = [
  { name: 'MATH train', file: 'datasets/math/train.jsonl', solution: (r: Row) => r.solution!, answer: (r: Row) => r.answer! },
  { name: 'GSM8K train', file: 'datasets/gsm8k/train.jsonl', solution: (r: Row) => r.answer!, answer: (r: Row) => r.answer!.slice(r.answer!.lastIndexOf('####') + 4).trim() },
];
console.log();
console.log('| reference solutions without markers, extract: math-verify | right answer found |');
console.log('| --- | --- |');
for (const set of sets) {
  const file = path.join(shared, set.file);
  if (!existsSync(file)) {
    console.log(`| ${set.name} | (${file} missing) |`);
    continue;
  }
  const rows = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Row);
  let found = 0;
  let graded = 0;
  for (const r of rows) {
    if (set.answer(r).trim() === '') continue;
    graded++;
    if (gradeCompletion(withoutMarkers(set.solution(r)), set.answer(r), { extract: 'math-verify' }).correct) found++;
  }
  console.log(`| ${set.name} | ${pct(found, graded)} |`);
}
