// Scalar equivalence on mathjs: exact numbers first (fast path), then evaluation of both sides at
// shared seeded random points (symbolic answers). The reason says "symbolic-equal" when the two mathjs
// trees are the same up to the order of terms; otherwise it says the pair was only checked numerically. All
// arithmetic is IEEE double: `10^{10^{10}}` evaluates to Infinity instantly instead of allocating a huge
// exact integer, and non-finite values never count as equal.
import { parse, simplify, type MathNode } from 'mathjs';
import { latexToMathjs } from './latex-to-mathjs';

export interface Tolerance {
  /** Relative tolerance (default 1e-9). */
  relTol: number;
  /** Absolute tolerance (default 1e-15), for answers that are exactly zero but evaluate to ~1e-16. */
  absTol: number;
}

// Answers are exact values; the tolerance only absorbs floating-point rounding (~1e-15 relative),
// so it can be tight: 1000001 vs 1000000 differ by 1e-6 relative and must stay different.
export const DEFAULT_TOLERANCE: Tolerance = { relTol: 1e-9, absTol: 1e-15 };

/** A complex value; real answers have im = 0. */
export type C = { re: number; im: number };

const PLAIN_NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d{1,3})?$/i;

/** Parse a plain decimal/scientific number, or null. */
export function plainNumber(s: string): number | null {
  const t = s.replace(/\s+/g, '');
  if (!PLAIN_NUMBER.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

/**
 * Relative closeness; the absolute tolerance only applies against an exact zero (so `\cos(\pi/2)`
 * equals 0, but 2^-99 does not equal 2^-98). `additive` adds absTol unconditionally instead, for
 * evaluations at random points where cancellation leaves noise around small values.
 */
function within(d: number, ma: number, mb: number, tol: Tolerance, additive: boolean): boolean {
  if (d <= tol.relTol * Math.max(ma, mb)) return true;
  if (additive) return d <= tol.absTol + tol.relTol * Math.max(ma, mb);
  return Math.min(ma, mb) === 0 && d <= tol.absTol;
}

export function close(a: number, b: number, tol: Tolerance): boolean {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return a === b || within(Math.abs(a - b), Math.abs(a), Math.abs(b), tol, false);
}

function closeC(a: C, b: C, tol: Tolerance, additive = false): boolean {
  if (![a.re, a.im, b.re, b.im].every(Number.isFinite)) return false;
  if (a.re === b.re && a.im === b.im) return true;
  return within(Math.hypot(a.re - b.re, a.im - b.im), Math.hypot(a.re, a.im), Math.hypot(b.re, b.im), tol, additive);
}

/** Compiled scalar: free symbols plus an evaluator returning a complex number (NaN on failure). */
export interface Compiled {
  expr: string;
  node: MathNode;
  symbols: string[];
  evaluate: (scope: Record<string, number>) => C;
}

const CONSTANT_NAMES = new Set(['pi', 'e', 'i', 'Infinity']);
const ALLOWED_FUNCS = new Set(['sqrt', 'nthRoot', 'sin', 'cos', 'tan', 'sec', 'csc', 'cot', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'log', 'exp', 'abs', 'floor', 'ceil', 'binom']);

// Binomial coefficient in floating point; capped so `\binom{10^9}{5\cdot10^8}` cannot loop for long.
function binom(n: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(k) || k < 0 || n < 0 || k > n) return NaN;
  const kk = Math.min(k, n - k);
  if (kk > 2000) return Infinity;
  let r = 1;
  for (let j = 1; j <= kk; j++) r = (r * (n - kk + j)) / j;
  return Math.round(r);
}

function toC(v: unknown): C {
  if (typeof v === 'number') return { re: v, im: 0 };
  if (v && typeof v === 'object' && 're' in v && 'im' in v) {
    const o = v as { re: unknown; im: unknown };
    if (typeof o.re === 'number' && typeof o.im === 'number') return { re: o.re, im: o.im };
  }
  return { re: NaN, im: NaN };
}

const cache = new Map<string, Compiled | null>();

/** Compile a LaTeX scalar with mathjs; null when it cannot be parsed or uses unsupported functions. */
export function compileScalar(latex: string): Compiled | null {
  const hit = cache.get(latex);
  if (hit !== undefined) return hit;
  const res = compileUncached(latex);
  if (cache.size > 5000) cache.clear(); // bounded memo: datasets repeat many answers
  cache.set(latex, res);
  return res;
}

function compileUncached(latex: string): Compiled | null {
  const expr = latexToMathjs(latex);
  if (expr === null) return null;
  try {
    const node = parse(expr);
    const symbols = new Set<string>();
    let bad = false;
    let count = 0;
    node.traverse((n, path) => {
      count++;
      const anyN = n as MathNode & { name?: string; fn?: { name?: string } };
      if (n.type === 'SymbolNode' && path !== 'fn' && !CONSTANT_NAMES.has(anyN.name!)) symbols.add(anyN.name!);
      if (n.type === 'FunctionNode' && !ALLOWED_FUNCS.has(anyN.fn?.name ?? '')) bad = true;
      if (n.type === 'AssignmentNode' || n.type === 'FunctionAssignmentNode' || n.type === 'AccessorNode' || n.type === 'IndexNode' || n.type === 'ObjectNode' || n.type === 'ArrayNode' || n.type === 'RangeNode' || n.type === 'BlockNode' || n.type === 'ConditionalNode' || n.type === 'RelationalNode') bad = true;
    });
    if (bad || count > 1000) return null;
    const code = node.compile();
    return {
      expr,
      node,
      symbols: [...symbols].sort(),
      evaluate: (scope) => {
        try {
          return toC(code.evaluate({ ...scope, binom }));
        } catch {
          return { re: NaN, im: NaN };
        }
      },
    };
  } catch {
    return null;
  }
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so verdicts are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Points compared per symbolic pair, and the seed that fixes them. */
export const POINTS = 6;
const SEED = 12345;

/**
 * Up to `count` shared evaluation points for `symbols`: alternately in (0.3, 2.5) and (-2.5, 2.5), so
 * |x| and x differ and square roots of positive arguments are real. Seeded: same points every run.
 */
export function samplePoints(symbols: readonly string[], count: number): Array<Record<string, number>> {
  const r = seededRandom(SEED);
  const out: Array<Record<string, number>> = [];
  for (let p = 0; p < count; p++) {
    const scope: Record<string, number> = {};
    for (const s of symbols) scope[s] = p % 2 === 0 ? 0.3 + 2.2 * r() : -2.5 + 5 * r();
    out.push(scope);
  }
  return out;
}

export function isFiniteC(c: C): boolean {
  return Number.isFinite(c.re) && Number.isFinite(c.im);
}

/** Real up to rounding noise (|im| tiny next to |re|). */
export function isRealC(c: C): boolean {
  return Math.abs(c.im) <= 1e-12 * Math.max(1, Math.abs(c.re));
}

export type ScalarVerdict = { equal: boolean; reason: string };

/**
 * Canonical string of a mathjs tree with the operands of + and * sorted (recursively), so sums and
 * products written in another order (`2\sin b\cos a`, `2\cos a\sin b`) have the same form. Linear-ish
 * and cheap, unlike mathjs `simplify` (20-50 ms a call), which is why it is the symbolic check here.
 */
function orderFree(node: MathNode): string {
  const n = node as MathNode & { op?: string; fn?: unknown; args?: MathNode[]; content?: MathNode };
  if (n.type === 'ParenthesisNode' && n.content) return orderFree(n.content);
  if (n.type === 'OperatorNode' && n.args) {
    const parts = n.args.map(orderFree);
    if ((n.op === '+' || n.op === '*') && parts.length === 2) {
      // flatten nested sums/products before sorting: a + (b + c) and (a + b) + c
      const flat = parts.flatMap((p) => (p.startsWith(`${n.op}[`) ? p.slice(2, -1).split('\u0001') : [p]));
      return `${n.op}[${flat.sort().join('\u0001')}]`;
    }
    return `${n.op}(${parts.join(',')})`;
  }
  if (n.type === 'FunctionNode' && n.args) return `${(n.fn as { name?: string }).name ?? '?'}(${n.args.map(orderFree).join(',')})`;
  return node.toString();
}

/** Why two expressions that agreed at every point are equal: the same terms, or only the numeric check. */
function symbolicReason(a: Compiled, b: Compiled): string {
  if (orderFree(a.node) === orderFree(b.node)) return 'symbolic-equal (the same terms in another order)';
  return `numeric-equal-at-${POINTS}-random-points (mathjs could not decide symbolically; relative tolerance 1e-9)`;
}

/** Last resort when no point could be evaluated: mathjs simplify on small inputs (it is exponential on some trees). */
function simplifiesToZero(a: Compiled, b: Compiled): boolean {
  if (a.expr.length + b.expr.length >= 160 || /\^\s*\(?\s*\d{3,}/.test(a.expr + b.expr)) return false;
  try {
    return simplify(`(${a.expr}) - (${b.expr})`).toString() === '0';
  } catch {
    return false;
  }
}

/**
 * Compare two compiled scalars. Constants: one evaluation. With free symbols: both must agree at every
 * shared seeded random point where either is finite and real; a point where one side is real and the
 * other is not (x^{2/3} against \sqrt[3]{x}^2 at x < 0: principal complex power against real root) is
 * outside the common real domain and skipped. `scaleB` multiplies b (percent handling).
 */
export function compareCompiled(a: Compiled, b: Compiled, tol: Tolerance, scaleB = 1): ScalarVerdict {
  const syms = [...new Set([...a.symbols, ...b.symbols])];
  if (syms.length > 12) return { equal: false, reason: 'too many variables' };
  if (syms.length === 0) {
    const va = a.evaluate({});
    const vb = b.evaluate({});
    const ok = closeC(va, { re: vb.re * scaleB, im: vb.im * scaleB }, tol);
    return { equal: ok, reason: ok ? 'numeric-equal' : 'numeric-different' };
  }
  // looser than the numeric tolerance: evaluation at irrational points accumulates rounding
  const t = { relTol: Math.max(tol.relTol, 1e-9), absTol: Math.max(tol.absTol, 1e-10) };
  let checked = 0;
  for (const scope of samplePoints(syms, POINTS * 3)) {
    if (checked >= POINTS) break;
    const va = a.evaluate(scope);
    const vb0 = b.evaluate(scope);
    const vb = { re: vb0.re * scaleB, im: vb0.im * scaleB };
    const fa = isFiniteC(va);
    const fb = isFiniteC(vb);
    if (!fa && !fb) continue; // outside both domains: try another point
    if (fa !== fb) return { equal: false, reason: 'symbolic-domain-differs' };
    if (isRealC(va) !== isRealC(vb)) continue; // a branch of a power or root, not a real value to compare
    if (!closeC(va, vb, t, true)) return { equal: false, reason: 'symbolic-different (differs at a random point)' };
    checked++;
  }
  if (checked >= 2) return { equal: true, reason: scaleB === 1 ? symbolicReason(a, b) : 'numeric-equal-at-random-points (percent scaled)' };
  // Evaluation inconclusive (domains empty at our points): ask mathjs simplify, small inputs only.
  if (scaleB === 1 && simplifiesToZero(a, b)) return { equal: true, reason: 'symbolic-equal (mathjs simplify)' };
  return { equal: false, reason: 'symbolic-inconclusive' };
}

/**
 * A decimal literal with at least six decimal places and four significant digits (`0.333333`,
 * `0.0833333`) stands for any value it is a correct rounding or truncation of, as Math-Verify's
 * six-place rounding accepts `0.333333` for 1/3. `3.1416` (four places) stays different from π.
 */
export function roundedDecimalMatches(literal: string, value: number): boolean {
  const m = /^[-+]?(\d*)\.(\d+)$/.exec(literal.trim());
  if (!m || !Number.isFinite(value)) return false;
  const places = m[2]!.length;
  const significant = `${m[1]}${m[2]}`.replace(/^0+/, '').length;
  if (places < 6 || significant < 4) return false;
  return Math.abs(Number(literal) - value) < 10 ** -places * (1 + 1e-9);
}
