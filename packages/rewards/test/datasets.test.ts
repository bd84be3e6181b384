// Agreement with the real train sets: every reference solution's own final answer must grade as
// equal to the row's answer, and perturbed answers must be rejected.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractAnswer, gradeAnswer, lastBoxedContent } from '@softcot/rewards';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const shared = process.env.SOFTCOT_SHARED ?? path.resolve(repoRoot, '../shared');
const gsmFile = path.join(shared, 'datasets/gsm8k/train.jsonl');
const mathFile = path.join(shared, 'datasets/math/train.jsonl');
const haveGsm = existsSync(gsmFile);
const haveMath = existsSync(mathFile);
if (!haveGsm || !haveMath) console.warn(`[rewards] ../shared is missing (looked in ${shared}); dataset agreement tests skipped`);

function readJsonl(file: string): Array<Record<string, unknown>> {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A wrong answer derived from a right one: +1 / x2 for numbers, else alter the last digit or the sign. */
function perturb(answer: string, variant: number): string {
  const t = answer.trim();
  const n = Number(t.replace(/,/g, ''));
  if (t !== '' && Number.isFinite(n)) return String(variant === 0 ? n + 1 : n === 0 ? 1 : n * 2);
  const idx = t.search(/\d(?!.*\d)/s);
  if (idx >= 0) return t.slice(0, idx) + String((Number(t[idx]) + 1) % 10) + t.slice(idx + 1);
  return t.startsWith('-') ? t.slice(1) : `-${t}`;
}

describe.skipIf(!haveGsm)('GSM8K train agreement', () => {
  it('every solution\'s "#### n" is extracted (gsm8k rule) and graded equal to its own answer', () => {
    const rows = readJsonl(gsmFile);
    expect(rows.length).toBe(7473);
    const t0 = performance.now();
    const failures: string[] = [];
    for (const [i, row] of rows.entries()) {
      const sol = row.answer as string;
      const gold = sol.slice(sol.lastIndexOf('####') + 4).trim();
      const ex = extractAnswer(sol);
      const r = gradeAnswer(ex.answer ?? '', gold);
      if (ex.rule !== 'gsm8k' || !r.correct) failures.push(`row ${i}: ${ex.rule} ${ex.answer} vs ${gold} (${r.reason})`);
    }
    console.log(`[rewards] GSM8K self-agreement ${rows.length - failures.length}/${rows.length} in ${(performance.now() - t0).toFixed(0)} ms`);
    expect(failures).toEqual([]);
  });

  it('rejects perturbed numeric answers (+1 and x2)', () => {
    const rows = readJsonl(gsmFile);
    let rejected = 0;
    let total = 0;
    for (const row of rows) {
      const sol = row.answer as string;
      const gold = sol.slice(sol.lastIndexOf('####') + 4).trim();
      for (const v of [0, 1]) {
        total++;
        if (!gradeAnswer(perturb(gold, v), gold).correct) rejected++;
      }
    }
    console.log(`[rewards] GSM8K perturbed rejected ${rejected}/${total}`);
    expect(rejected / total).toBeGreaterThanOrEqual(0.999);
  });
});

describe.skipIf(!haveMath)('MATH train agreement', () => {
  it('every solution\'s last box grades equal to the row\'s answer field', () => {
    const rows = readJsonl(mathFile);
    expect(rows.length).toBe(12000);
    const t0 = performance.now();
    const failures: string[] = [];
    let emptyBoth = 0;
    for (const row of rows) {
      const box = lastBoxedContent(row.solution as string);
      const answer = row.answer as string;
      // Two rows have an empty \boxed{} in the solution and an empty answer: nothing to grade.
      if (box === null && answer.trim() === '') {
        emptyBoth++;
        continue;
      }
      const r = gradeAnswer(box ?? '', answer);
      if (!r.correct) failures.push(`${row.unique_id as string}: ${JSON.stringify(box)} vs ${JSON.stringify(answer)} (${r.reason})`);
    }
    const graded = rows.length - emptyBoth;
    const rate = (graded - failures.length) / graded;
    console.log(`[rewards] MATH self-agreement ${graded - failures.length}/${graded} (${(rate * 100).toFixed(2)}%), ${emptyBoth} rows with empty answers skipped, ${(performance.now() - t0).toFixed(0)} ms`);
    if (failures.length > 0) console.log(failures.slice(0, 50).join('\n'));
    expect(emptyBoth).toBeLessThanOrEqual(2);
    expect(rate).toBeGreaterThanOrEqual(0.995);
    expect(failures).toEqual([]);
  });

  it('accepts model-style rewrites of the answers (\\frac -> a/b, no \\left/\\right, spacing) at >= 99.5%', () => {
    // Exercises the non-identical path: normalisation, structure and mathjs on every MATH answer.
    const rewrite = (a: string) =>
      a
        .replace(/\\dfrac/g, '\\frac')
        .replace(/(^|[^\d\s])\s*\\frac\{(\d+)\}\{(\d+)\}/g, '$1$2/$3') // not after a digit: 2\frac12 is mixed
        .replace(/\\left|\\right/g, '')
        .replace(/,\\!/g, ',')
        .replace(/\s+/g, ' ')
        .replace(/\\text\{\s*(\w)/g, '\\text{ $1');
    const rows = readJsonl(mathFile);
    const t0 = performance.now();
    let changed = 0;
    const failures: string[] = [];
    for (const row of rows) {
      const answer = row.answer as string;
      if (answer.trim() === '') continue;
      const alt = rewrite(answer);
      if (alt === answer) continue;
      changed++;
      const r = gradeAnswer(alt, answer);
      if (!r.correct) failures.push(`${JSON.stringify(alt)} vs ${JSON.stringify(answer)} (${r.reason})`);
    }
    const rate = (changed - failures.length) / changed;
    console.log(`[rewards] MATH rewritten answers accepted ${changed - failures.length}/${changed} (${(rate * 100).toFixed(2)}%) in ${(performance.now() - t0).toFixed(0)} ms`);
    if (failures.length > 0) console.log(failures.slice(0, 20).join('\n'));
    expect(changed).toBeGreaterThan(1500);
    expect(rate).toBeGreaterThanOrEqual(0.995);
  });

  it('rejects perturbed answers (+1 and x2 for numbers, else a digit or the sign changed) at >= 99%', () => {
    const rows = readJsonl(mathFile);
    const t0 = performance.now();
    let rejected = 0;
    let total = 0;
    const accepted: string[] = [];
    for (const row of rows) {
      const answer = (row.answer as string).trim();
      if (answer === '') continue;
      // numeric answers get both +1 and x2; others one digit or sign change
      const numeric = Number.isFinite(Number(answer.replace(/,/g, '')));
      for (const v of numeric ? [0, 1] : [0]) {
        const wrong = perturb(answer, v);
        if (wrong === answer) continue;
        total++;
        if (!gradeAnswer(wrong, answer).correct) rejected++;
        else accepted.push(`${JSON.stringify(wrong)} accepted for ${JSON.stringify(answer)}`);
      }
    }
    console.log(`[rewards] MATH perturbed rejected ${rejected}/${total} (${((rejected / total) * 100).toFixed(2)}%) in ${(performance.now() - t0).toFixed(0)} ms`);
    if (accepted.length > 0) console.log(accepted.slice(0, 20).join('\n'));
    expect(rejected / total).toBeGreaterThanOrEqual(0.99);
  });
});
