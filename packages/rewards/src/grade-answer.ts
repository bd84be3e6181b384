// gradeAnswer: is an extracted answer equivalent to the reference? Normalise both strings, parse them
// into structures, compare the structures. Never throws, never hangs.
import { parseValue } from './answer-structure';
import { scalarEqual, valuesEqual, type EquivalenceContext } from './equivalence';
import { normalizeAnswer, type Normalized } from './normalize';
import { plainNumber, DEFAULT_TOLERANCE, type Tolerance } from './scalar-equivalence';

export interface GradeOptions {
  /** Relative numeric tolerance (default 1e-9). */
  relTol?: number;
  /** Absolute numeric tolerance (default 1e-15). */
  absTol?: number;
  /** Answers longer than this (after extraction) are rejected unparsed (default 2000). */
  maxChars?: number;
  /**
   * Percent handling: 'both' (default) lets `50\%` equal both `50` and `0.5`; 'strict' only `50`
   * (the percent sign is dropped but the number is not rescaled).
   */
  percent?: 'both' | 'strict';
}

export interface GradeResult {
  correct: boolean;
  reason: string;
  predNormalized?: string;
  goldNormalized?: string;
}

const DEFAULT_MAX_CHARS = 2000;

/** Compare two normalised answers (no exceptions expected, but the caller wraps anyway). */
function compareNormalized(np: Normalized, ng: Normalized, tol: Tolerance, opts: GradeOptions, budget: { n: number }): { correct: boolean; reason: string } {
  const both = (opts.percent ?? 'both') === 'both';
  const ctx: EquivalenceContext = {
    tol,
    // 50\% = 50 and 0.5: the side with the percent sign may also be read as value / 100
    predScales: np.percent && both ? [1, 0.01] : [1],
    goldScales: ng.percent && both ? [1, 0.01] : [1],
    budget,
  };
  if (np.text === ng.text && np.percent === ng.percent) return { correct: true, reason: 'normalized-identical' };
  // Fast path for the common case of two plain numbers.
  if (plainNumber(np.text) !== null && plainNumber(ng.text) !== null) {
    const ok = scalarEqual(np.text, ng.text, ctx);
    return { correct: ok, reason: ok ? (ctx.evidence ? `numeric-equal: ${ctx.evidence}` : 'numeric-equal') : 'numeric-different' };
  }
  const pv = parseValue(np.text);
  const gv = parseValue(ng.text);
  if (valuesEqual(pv, gv, ctx)) return { correct: true, reason: ctx.evidence ? `equivalent-${pv.kind}: ${ctx.evidence}` : `equivalent-${pv.kind}` };
  return { correct: false, reason: budget.n < 0 ? 'work-budget-exceeded' : `different-${pv.kind}-vs-${gv.kind}` };
}

/** Grade an already-extracted answer against the reference answer (GSM8K number or MATH `answer`). */
export function gradeAnswer(pred: string, gold: string, opts: GradeOptions = {}): GradeResult {
  try {
    if (typeof pred !== 'string' || typeof gold !== 'string') return { correct: false, reason: 'not-a-string' };
    const max = opts.maxChars ?? DEFAULT_MAX_CHARS;
    if (pred.length > max) return { correct: false, reason: 'pred-too-long' };
    if (gold.length > max) return { correct: false, reason: 'gold-too-long' };
    if (pred.trim() === '') return { correct: false, reason: 'empty-pred' };
    if (pred === gold) return { correct: true, reason: 'identical' };
    const np = normalizeAnswer(pred);
    const ng = normalizeAnswer(gold);
    const base = { predNormalized: np.text, goldNormalized: ng.text };
    if (np.text === '') return { ...base, correct: false, reason: 'empty-pred' };
    const tol: Tolerance = { relTol: opts.relTol ?? DEFAULT_TOLERANCE.relTol, absTol: opts.absTol ?? DEFAULT_TOLERANCE.absTol };
    const budget = { n: 400 };
    const first = compareNormalized(np, ng, tol, opts, budget);
    if (first.correct || (!np.joinedThousands && !ng.joinedThousands)) return { ...base, ...first };
    // `100,200` is 100200 or the list 100, 200: retry with the comma groups read as lists.
    const np2 = np.joinedThousands ? normalizeAnswer(pred, { joinThousands: false }) : np;
    const ng2 = ng.joinedThousands ? normalizeAnswer(gold, { joinThousands: false }) : ng;
    for (const [x, y] of [[np2, ng], [np, ng2], [np2, ng2]] as const) {
      if (x === np && y === ng) continue;
      const r = compareNormalized(x, y, tol, opts, budget);
      if (r.correct) return { predNormalized: x.text, goldNormalized: y.text, correct: true, reason: `${r.reason}-as-list` };
    }
    return { ...base, ...first };
  } catch (err) {
    return { correct: false, reason: `internal-error: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}` };
  }
}
