// The equivalence table in every extraction mode, and the extraction cases.
import { describe, expect, it } from 'vitest';
import { EXTRACT_MODES, gradeCompletion } from '@softcot/rewards';
import { CATEGORIES, TABLE, currentVerdict } from './equivalence-table';
import { EXTRACTION_CASES } from './extraction-cases';
import { modelOutput } from './model-outputs';

describe('equivalence table', () => {
  const all = Object.values(TABLE).flat();
  it('has at least 300 pairs, equivalent and near-miss ones in every category', () => {
    expect(all.length).toBeGreaterThanOrEqual(300);
    for (const c of CATEGORIES) {
      expect(TABLE[c].filter((p) => p[2]).length, c).toBeGreaterThanOrEqual(5);
      expect(TABLE[c].filter((p) => !p[2]).length, c).toBeGreaterThanOrEqual(4);
    }
  });
  for (const mode of EXTRACT_MODES) {
    describe(`extract: ${mode}`, () => {
      for (const c of CATEGORIES) {
        it(c, () => {
          const wrong: string[] = [];
          TABLE[c].forEach((pair, k) => {
            const [pred, gold] = pair;
            const completion = modelOutput(pred, mode, k);
            const g = gradeCompletion(completion, gold, { extract: mode });
            // a known limit keeps its current (wrong) verdict, so that a change is noticed
            const want = currentVerdict(pair);
            if (g.correct !== want || g.extracted === null) wrong.push(`${JSON.stringify(completion)} vs ${JSON.stringify(gold)}: got ${g.correct} (${g.rule}: ${JSON.stringify(g.extracted)}, ${g.reason})`);
          });
          expect(wrong).toEqual([]);
        });
      }
    });
  }
});

describe('extraction cases', () => {
  it.each(EXTRACTION_CASES.map((c) => [c.mode, c.completion, c.gold, c] as const))('%s: %j vs %j', (_mode, completion, gold, c) => {
    const g = gradeCompletion(completion, gold, { extract: c.mode });
    expect(g.correct, `${g.rule}: ${JSON.stringify(g.extracted)} (${g.reason})`).toBe(c.equal);
    if (c.extracted !== undefined) expect(g.extracted).toBe(c.extracted);
  });
});
