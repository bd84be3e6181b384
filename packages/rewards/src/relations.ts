// Equivalence of equations and inequalities, decided numerically at seeded random points.
//
//   L = R  and  L' = R'   are equal when  L - R = c·(L' - R')  for one constant c ≠ 0
//                         (2x+4y-3=0 ≡ y = -x/2 + 3/4, with c = 4; x^2/4 + y^2/3 = 1 ≡ x^2/16 + y^2/12 = 1/4)
//   L < R  and  L' < R'   need the same strictness and c > 0 (x < 1 ≡ -x > -1 ≡ 1 - x > 0)
//   a > b  is written  b - a < 0  first, so flipped inequalities compare directly (x ≤ 5 ≡ 5 ≥ x).
//
// An inequality in one variable is also compared with an interval or a union of intervals by
// membership: at every endpoint, just beside it, between endpoints and far out, the relation holds
// exactly where the point is in the set (1 ≤ |z| ≤ 3/2 ≡ [-3/2, -1] ∪ [1, 3/2]).
import type { RelOp, Value } from './answer-structure';
import { compileScalar, isFiniteC, isRealC, samplePoints, POINTS, type Compiled } from './scalar-equivalence';

type CanonOp = '=' | '\\neq' | '<' | '\\leq';

/** One link `L op R` of a relation as  d op 0  with d = L - R, or R - L for > and ≥. */
interface Link {
  diff: string;
  op: CanonOp;
}

function link(l: string, op: RelOp, r: string): Link {
  switch (op) {
    case '>': return { diff: `(${r})-(${l})`, op: '<' };
    case '\\geq': return { diff: `(${r})-(${l})`, op: '\\leq' };
    default: return { diff: `(${l})-(${r})`, op };
  }
}

function links(sides: readonly string[], ops: readonly RelOp[]): Link[] {
  return ops.map((op, k) => link(sides[k]!, op, sides[k + 1]!));
}

/** d_a = c·d_b at every usable point for one constant c (c > 0 when `positive`). */
function proportional(a: Compiled, b: Compiled, positive: boolean): boolean {
  const syms = [...new Set([...a.symbols, ...b.symbols])];
  if (syms.length > 12) return false;
  let ratio: number | null = null;
  let used = 0;
  const points = syms.length === 0 ? [{}] : samplePoints(syms, POINTS * 3);
  for (const scope of points) {
    if (used >= POINTS) break;
    const va = a.evaluate(scope);
    const vb = b.evaluate(scope);
    if (!isFiniteC(va) || !isFiniteC(vb) || !isRealC(va) || !isRealC(vb)) continue;
    const za = Math.abs(va.re) <= 1e-12;
    const zb = Math.abs(vb.re) <= 1e-12;
    if (za && zb) continue;
    if (za !== zb) return false;
    const r = va.re / vb.re;
    if (ratio === null) ratio = r;
    else if (Math.abs(r - ratio) > 1e-8 * Math.max(1, Math.abs(ratio))) return false;
    used++;
  }
  if (ratio === null) return false;
  if (syms.length > 0 && used < 2) return false;
  return positive ? ratio > 0 : true;
}

function linksEqual(a: Link[], b: Link[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((la, k) => {
    const lb = b[k]!;
    if (la.op !== lb.op) return false;
    const ca = compileScalar(la.diff);
    const cb = compileScalar(lb.diff);
    return ca !== null && cb !== null && proportional(ca, cb, la.op === '<' || la.op === '\\leq');
  });
}

// f(2), g(x+1): a function applied to something. As maths it would parse as a product f·2, and
// f(2) - f(5) = c·(f(2) - f(4)) would then hold with c = 3/2, so such relations compare side by side.
const FUNCTION_CALL = /(?<![A-Za-z\\])[A-Za-z]\s*\(/;

type Rel = { sides: readonly string[]; ops: readonly RelOp[] };

function sideBySide(a: Rel, b: Rel, sideEqual: (x: string, y: string) => boolean): boolean {
  if (a.ops.length !== b.ops.length) return false;
  const same = a.ops.every((op, k) => op === b.ops[k]) && a.sides.every((x, k) => sideEqual(x, b.sides[k]!));
  if (same) return true;
  // read backwards: a < b < c is c > b > a
  const n = b.sides.length;
  return a.ops.every((op, k) => op === FLIPPED[b.ops[n - 2 - k]!]) && a.sides.every((x, k) => sideEqual(x, b.sides[n - 1 - k]!));
}

const FLIPPED: Record<RelOp, RelOp> = { '<': '>', '>': '<', '\\leq': '\\geq', '\\geq': '\\leq', '=': '=', '\\neq': '\\neq' };

/**
 * Two relations (or chains of them) are the same statement up to a constant factor per link; with
 * function applications in them, the same statement side by side (`sideEqual` compares two sides).
 */
export function relationsEqual(a: Rel, b: Rel, sideEqual: (x: string, y: string) => boolean): boolean {
  if ([...a.sides, ...b.sides].some((s) => FUNCTION_CALL.test(s))) return sideBySide(a, b, sideEqual);
  const la = links(a.sides, a.ops);
  const lb = links(b.sides, b.ops);
  // a chain may be written from either end: a < x < b  is  b > x > a
  return linksEqual(la, lb) || (lb.length > 1 && linksEqual(la, [...lb].reverse()));
}

/** A subset of the real line as closed/open pieces, for membership tests. */
type Piece = { lo: number; hi: number; loClosed: boolean; hiClosed: boolean };

function constantOf(v: Value): number | null {
  if (v.kind !== 'scalar') return null;
  const t = v.src.trim();
  if (/^\+?\s*\\infty$/.test(t)) return Infinity;
  if (/^-\s*\\infty$/.test(t)) return -Infinity;
  const c = compileScalar(t);
  if (!c || c.symbols.length > 0) return null;
  const z = c.evaluate({});
  return isRealC(z) && !Number.isNaN(z.re) ? z.re : null;
}

function pieces(v: Value): Piece[] | null {
  switch (v.kind) {
    case 'interval': {
      const lo = constantOf(v.lo);
      const hi = constantOf(v.hi);
      return lo === null || hi === null ? null : [{ lo, hi, loClosed: v.loClosed, hiClosed: v.hiClosed }];
    }
    case 'union': case 'set': {
      const items = v.kind === 'union' ? v.parts : v.items;
      const out: Piece[] = [];
      for (const item of items) {
        const x = item.kind === 'scalar' ? constantOf(item) : null;
        const p = x !== null && Number.isFinite(x) ? [{ lo: x, hi: x, loClosed: true, hiClosed: true }] : pieces(item);
        if (!p) return null;
        out.push(...p);
      }
      return out;
    }
    default:
      return null;
  }
}

function inPieces(x: number, ps: Piece[]): boolean {
  return ps.some((p) => (x > p.lo || (p.loClosed && x === p.lo)) && (x < p.hi || (p.hiClosed && x === p.hi)));
}

/** Whether the relation holds at variable = x; equality within a tight band so endpoints like √2 count. */
function holds(compiled: Compiled[], ops: readonly RelOp[], variable: string, x: number): boolean | null {
  const vals: number[] = [];
  for (const c of compiled) {
    const z = c.evaluate({ [variable]: x });
    if (!isFiniteC(z) || !isRealC(z)) return null;
    vals.push(z.re);
  }
  return ops.every((op, k) => {
    const l = vals[k]!;
    const r = vals[k + 1]!;
    const eq = Math.abs(l - r) <= 1e-9 * Math.max(1, Math.abs(l), Math.abs(r));
    switch (op) {
      case '=': return eq;
      case '\\neq': return !eq;
      case '<': return l < r && !eq;
      case '>': return l > r && !eq;
      case '\\leq': return l < r || eq;
      case '\\geq': return l > r || eq;
    }
  });
}

/**
 * A relation in one variable against a set of reals (interval, union, finite set): equal when they
 * agree at every test point. Null when either side cannot be evaluated this way.
 */
export function relationMatchesSet(rel: { sides: readonly string[]; ops: readonly RelOp[] }, set: Value): boolean | null {
  const ps = pieces(set);
  if (!ps || ps.length === 0) return null;
  const compiled = rel.sides.map((s) => compileScalar(s));
  if (compiled.some((c) => c === null)) return null;
  const syms = [...new Set(compiled.flatMap((c) => c!.symbols))];
  if (syms.length !== 1) return null;
  const ends = [...new Set(ps.flatMap((p) => [p.lo, p.hi]).filter(Number.isFinite))].sort((x, y) => x - y);
  const tests: number[] = [];
  for (const e of ends) {
    const d = 1e-6 * Math.max(1, Math.abs(e));
    tests.push(e, e - d, e + d);
  }
  for (let k = 0; k + 1 < ends.length; k++) tests.push((ends[k]! + ends[k + 1]!) / 2);
  const lo = ends[0] ?? 0;
  const hi = ends[ends.length - 1] ?? 0;
  tests.push(lo - 1 - Math.abs(lo), hi + 1 + Math.abs(hi), lo - 1e3, hi + 1e3);
  for (const scope of samplePoints(['t'], 8)) tests.push(lo - 2 + (hi - lo + 4) * ((scope.t! + 2.5) / 5));
  let decided = 0;
  for (const x of tests) {
    const h = holds(compiled as Compiled[], rel.ops, syms[0]!, x);
    if (h === null) continue; // outside the relation's domain
    if (h !== inPieces(x, ps)) return false;
    decided++;
  }
  return decided >= 3;
}
