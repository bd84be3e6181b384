// gradeAnswer: is an extracted answer equivalent to the reference? Never throws, never hangs.
import { compareCompiled, compileScalar, close, plainNumber, DEFAULT_TOLERANCE, type Tolerance } from './compare';
import { normalizeAnswer, type Normalized } from './normalize';
import { parseValue, splitTop, type Value } from './structure';

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

/** Canonical string for the string-equality fallback: no spaces, no braces (case kept: x and X differ). */
function canon(s: string): string {
  return s.replace(/\\(?:text|mathrm|textbf|mbox)\{([^{}]*)\}/g, '$1').replace(/[\s{}]/g, '').replace(/\\(?:left|right)/g, '');
}

interface Ctx {
  tol: Tolerance;
  /** percent scale candidates applied to pred / gold scalars */
  predScales: number[];
  goldScales: number[];
  budget: { n: number };
}

function scalarEqual(a: string, b: string, ctx: Ctx): boolean {
  if (--ctx.budget.n < 0) return false; // bound the total work on huge lists
  if (canon(a) === canon(b) && ctx.predScales.length === 1 && ctx.goldScales.length === 1) return true;
  // Fast path: plain numbers need no parser.
  const na = plainNumber(a);
  const nb = plainNumber(b);
  if (na !== null && nb !== null) {
    // Two integers are compared exactly (while doubles represent them exactly): 1000001 != 1000000,
    // unless the caller loosened the tolerance on purpose.
    const ints = ctx.tol.relTol <= DEFAULT_TOLERANCE.relTol && /^[-+]?\d+$/.test(a.trim()) && /^[-+]?\d+$/.test(b.trim()) && Math.abs(na) < 2 ** 53 && Math.abs(nb) < 2 ** 53;
    if (ints && na === nb) return true;
    for (const sa of ctx.predScales) {
      for (const sb of ctx.goldScales) {
        if (ints && sa === 1 && sb === 1) continue;
        if (close(na * sa, nb * sb, ctx.tol)) return true;
      }
    }
    return false;
  }
  if (canon(a) === canon(b)) return true;
  const ca = compileScalar(a);
  const cb = compileScalar(b);
  // not maths (prose such as "Monday", "even", or unsupported notation): case-insensitive string match
  if (!ca || !cb) return canon(a).toLowerCase() === canon(b).toLowerCase();
  for (const sa of ctx.predScales) {
    for (const sb of ctx.goldScales) {
      // compare a*sa with b*sb  <=>  a with b*(sb/sa)
      if (compareCompiled(ca, cb, ctx.tol, sb / sa).equal) return true;
    }
  }
  return false;
}

function asScalarSrc(v: Value): string | null {
  if (v.kind === 'scalar' || v.kind === 'text') return v.src;
  return null;
}

/** Multiset equality with greedy matching (items are few; total work bounded by the budget). */
function unorderedEqual(a: Value[], b: Value[], ctx: Ctx): boolean {
  if (a.length !== b.length) return false;
  const used = new Array<boolean>(b.length).fill(false);
  outer: for (const x of a) {
    for (let j = 0; j < b.length; j++) {
      if (!used[j] && valuesEqual(x, b[j]!, ctx)) {
        used[j] = true;
        continue outer;
      }
    }
    return false;
  }
  return true;
}

function orderedEqual(a: Value[], b: Value[], ctx: Ctx): boolean {
  return a.length === b.length && a.every((x, i) => valuesEqual(x, b[i]!, ctx));
}

/** Structural equivalence. `pred` is the first argument throughout. */
export function valuesEqual(p: Value, g: Value, ctx: Ctx): boolean {
  // x = 3 vs 3, and y = 2x+1 vs y = 1+2x (same variable) vs 2x+1.
  if (p.kind === 'eq' && g.kind === 'eq') return p.lhs === g.lhs && valuesEqual(p.rhs, g.rhs, ctx);
  if (p.kind === 'eq') return valuesEqual(p.rhs, g, ctx);
  if (g.kind === 'eq') return valuesEqual(p, g.rhs, ctx);

  // A one-element set or list equals its element ({3} vs 3).
  if (p.kind === 'set' && p.items.length === 1 && g.kind !== 'set') return valuesEqual(p.items[0]!, g, ctx);
  if (g.kind === 'set' && g.items.length === 1 && p.kind !== 'set') return valuesEqual(p, g.items[0]!, ctx);

  switch (p.kind) {
    case 'scalar':
    case 'text': {
      const b = asScalarSrc(g);
      if (b === null) return false;
      // prose answers ("Monday", "even") are case-insensitive
      if (p.kind === 'text' || g.kind === 'text') return canon(p.src).toLowerCase() === canon(b).toLowerCase();
      return scalarEqual(p.src, b, ctx);
    }
    case 'set':
      // \{1,2\} vs 1, 2 vs 2, 1: all unordered
      if (g.kind === 'set') return unorderedEqual(p.items, g.items, ctx);
      return false;
    case 'tuple':
      if (g.kind === 'tuple') return p.open === g.open && p.close === g.close && orderedEqual(p.items, g.items, ctx);
      // (a, b) written by one side as a tuple is also the open interval (a, b)
      if (g.kind === 'interval' && p.items.length === 2 && p.open === '(' && p.close === ')') {
        return !g.loClosed && !g.hiClosed && valuesEqual(p.items[0]!, g.lo, ctx) && valuesEqual(p.items[1]!, g.hi, ctx);
      }
      if (g.kind === 'matrix') return matrixVsTuple(g, p, ctx);
      return false;
    case 'interval':
      if (g.kind === 'interval') {
        return p.loClosed === g.loClosed && p.hiClosed === g.hiClosed && valuesEqual(p.lo, g.lo, ctx) && valuesEqual(p.hi, g.hi, ctx);
      }
      if (g.kind === 'tuple') return valuesEqual(g, p, ctx);
      return false;
    case 'union':
      if (g.kind === 'union') return unorderedEqual(p.parts, g.parts, ctx);
      return false;
    case 'matrix':
      if (g.kind === 'matrix') {
        return p.rows.length === g.rows.length && p.rows.every((r, i) => orderedEqual(r, g.rows[i]!, ctx));
      }
      if (g.kind === 'tuple') return matrixVsTuple(p, g, ctx);
      return false;
    case 'relation':
      if (g.kind === 'relation') return relationsEqual(p.src, g.src, ctx);
      return false;
  }
  return false;
}

/** A column or row vector written as a matrix equals the same tuple. */
function matrixVsTuple(m: Extract<Value, { kind: 'matrix' }>, t: Extract<Value, { kind: 'tuple' }>, ctx: Ctx): boolean {
  const flat = m.rows.length === 1 ? m.rows[0]! : m.rows.every((r) => r.length === 1) ? m.rows.map((r) => r[0]!) : null;
  return flat !== null && orderedEqual(flat, t.items, ctx);
}

/** Equations `lhs = rhs` compared as lhs - rhs up to sign; other relations by canonical string. */
function relationsEqual(a: string, b: string, ctx: Ctx): boolean {
  if (canon(a) === canon(b)) return true;
  const pa = splitTop(a, /=/y);
  const pb = splitTop(b, /=/y);
  if (pa.length !== 2 || pb.length !== 2 || /[<>]|\\[lg]eq/.test(a + b)) return false;
  const da = `(${pa[0]})-(${pa[1]})`;
  const db = `(${pb[0]})-(${pb[1]})`;
  const ca = compileScalar(da);
  const cb = compileScalar(db);
  if (!ca || !cb) return false;
  return compareCompiled(ca, cb, ctx.tol).equal || compareCompiled(ca, cb, ctx.tol, -1).equal;
}

/** Compare two normalised answers (no exceptions expected, but the caller wraps anyway). */
function compareNormalized(np: Normalized, ng: Normalized, tol: Tolerance, opts: GradeOptions, budget: { n: number }): { correct: boolean; reason: string } {
  const both = (opts.percent ?? 'both') === 'both';
  const ctx: Ctx = {
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
    return { correct: ok, reason: ok ? 'numeric-equal' : 'numeric-different' };
  }
  const pv = parseValue(np.text);
  const gv = parseValue(ng.text);
  if (valuesEqual(pv, gv, ctx)) return { correct: true, reason: `equivalent-${pv.kind}` };
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
