// Structural equivalence of two parsed answers (answer-structure.ts): which kinds may equal which,
// ordered or unordered, with scalars decided by scalar-equivalence.ts and relations by relations.ts.
import type { Value } from './answer-structure';
import { relationMatchesSet, relationsEqual } from './relations';
import { compareCompiled, compileScalar, close, plainNumber, roundedDecimalMatches, DEFAULT_TOLERANCE, type Tolerance } from './scalar-equivalence';

/** State of one comparison: tolerance, percent readings, a work budget, and how the verdict was reached. */
export interface EquivalenceContext {
  tol: Tolerance;
  /** percent scale candidates applied to pred / gold scalars */
  predScales: number[];
  goldScales: number[];
  budget: { n: number };
  /** Set when some scalar pair was accepted only by the numeric check at random points (or by rounding). */
  evidence?: string;
}

/** Canonical string for the string-equality fallback: no spaces, no braces (case kept: x and X differ). */
export function canon(s: string): string {
  return s.replace(/\\(?:text|mathrm|textbf|mbox)\{([^{}]*)\}/g, '$1').replace(/[\s{}]/g, '').replace(/\\(?:left|right)/g, '');
}

function note(ctx: EquivalenceContext, reason: string): void {
  if (!reason.startsWith('symbolic-equal') && reason !== 'numeric-equal') ctx.evidence ??= reason;
}

/** A decimal written to six or more places against an exact value it rounds to (either side). */
function roundedMatch(a: string, b: string, ctx: EquivalenceContext): boolean {
  if (ctx.predScales.length > 1 || ctx.goldScales.length > 1) return false;
  for (const [lit, other] of [[a, b], [b, a]] as const) {
    if (plainNumber(lit) === null) continue;
    const c = compileScalar(other);
    if (!c || c.symbols.length > 0) continue;
    const z = c.evaluate({});
    if (Math.abs(z.im) <= 1e-12 * Math.max(1, Math.abs(z.re)) && roundedDecimalMatches(lit, z.re)) {
      ctx.evidence ??= `rounded-decimal (${lit.trim()} is the other side to ${lit.split('.')[1]?.length ?? 0} places)`;
      return true;
    }
  }
  return false;
}

export function scalarEqual(a: string, b: string, ctx: EquivalenceContext): boolean {
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
    return roundedMatch(a, b, ctx);
  }
  if (canon(a) === canon(b)) return true;
  const ca = compileScalar(a);
  const cb = compileScalar(b);
  // not maths (prose such as "Monday", "even", or unsupported notation): case-insensitive string match
  if (!ca || !cb) return canon(a).toLowerCase() === canon(b).toLowerCase();
  for (const sa of ctx.predScales) {
    for (const sb of ctx.goldScales) {
      // compare a*sa with b*sb  <=>  a with b*(sb/sa)
      const v = compareCompiled(ca, cb, ctx.tol, sb / sa);
      if (v.equal) {
        note(ctx, v.reason);
        return true;
      }
    }
  }
  return roundedMatch(a, b, ctx);
}

function asScalarSrc(v: Value): string | null {
  if (v.kind === 'scalar' || v.kind === 'text') return v.src;
  return null;
}

/**
 * Set equality: every item of one side equals some item of the other, both ways. Duplicates do not
 * count (`\{1,2,2\}` = `\{1,2\}`, as sets). Work is bounded by the comparison budget.
 */
function unorderedEqual(a: Value[], b: Value[], ctx: EquivalenceContext): boolean {
  const covered = new Array<boolean>(b.length).fill(false);
  const matchIn = (x: Value, wantCovered: boolean): number => {
    for (let j = 0; j < b.length; j++) {
      if (covered[j] === wantCovered && valuesEqual(x, b[j]!, ctx)) return j;
      if (ctx.budget.n < 0) return -1;
    }
    return -1;
  };
  // First a one-to-one matching (linear when both sides list the items in the same order) ...
  for (const x of a) {
    const j = matchIn(x, false);
    if (j >= 0) covered[j] = true;
    else if (matchIn(x, true) < 0) return false; // ... a duplicate of an item already matched is fine
  }
  // ... then every item of b left over must repeat an item of a.
  return b.every((y, j) => covered[j] || a.some((x) => valuesEqual(x, y, ctx)));
}

function orderedEqual(a: Value[], b: Value[], ctx: EquivalenceContext): boolean {
  return a.length === b.length && a.every((x, i) => valuesEqual(x, b[i]!, ctx));
}

/** `p = 5, q = 2` (assignments to distinct names) read as the tuple of its values in written order. */
function assignmentValues(v: Value): Value[] | null {
  if (v.kind !== 'set' || v.braces || v.items.length < 2) return null;
  const names = new Set<string>();
  for (const item of v.items) {
    if (item.kind !== 'eq' || names.has(item.lhs)) return null;
    names.add(item.lhs);
  }
  return v.items.map((item) => (item.kind === 'eq' ? item.rhs : item));
}

/** An unbraced list of intervals (`x < 1 or x > 3`) is their union. */
function asUnion(v: Value): Value | null {
  if (v.kind === 'union') return v;
  if (v.kind === 'set' && !v.braces && v.items.every((x) => x.kind === 'interval' || x.kind === 'union')) {
    return { kind: 'union', parts: v.items.flatMap((x) => (x.kind === 'union' ? x.parts : [x])) };
  }
  return null;
}

/** Left sides name the same thing: equal, or the same function of a variable whatever it is called (W(n), W(x)). */
function sameName(a: string, b: string): boolean {
  if (a === b) return true;
  const fa = /^([A-Za-z](?:_[A-Za-z0-9]+)?)\([A-Za-z]\)$/.exec(a);
  const fb = /^([A-Za-z](?:_[A-Za-z0-9]+)?)\([A-Za-z]\)$/.exec(b);
  return fa !== null && fb !== null && fa[1] === fb[1];
}

/** A subset of the real line, for comparing with an inequality: (a, b) written as a tuple is the open interval. */
function asRealSet(v: Value): Value | null {
  if (v.kind === 'interval' || v.kind === 'union' || v.kind === 'set') return v;
  if (v.kind === 'tuple' && v.items.length === 2 && v.open === '(' && v.close === ')') {
    return { kind: 'interval', lo: v.items[0]!, hi: v.items[1]!, loClosed: false, hiClosed: false };
  }
  return null;
}

function relationOf(v: Value): { sides: string[]; ops: Array<'='> } | null {
  if (v.kind === 'eq') return { sides: [v.lhs, v.rhsSrc], ops: ['='] };
  return null;
}

/** Structural equivalence. `pred` is the first argument throughout. */
export function valuesEqual(p: Value, g: Value, ctx: EquivalenceContext): boolean {
  if (ctx.budget.n < 0) return false;
  // Relations: the same statement up to a constant factor; an assignment y = … is also an equation.
  if (p.kind === 'relation' || g.kind === 'relation') {
    const rp = p.kind === 'relation' ? p : relationOf(p);
    const rg = g.kind === 'relation' ? g : relationOf(g);
    ctx.budget.n -= 2;
    if (rp && rg) return (p.kind === 'relation' && g.kind === 'relation' && canon(p.src) === canon(g.src)) || relationsEqual(rp, rg, (x, y) => scalarEqual(x, y, ctx));
    // an inequality in one variable against the interval or union it describes
    const set = asRealSet(p.kind === 'relation' ? g : p);
    const rel = p.kind === 'relation' ? p : g.kind === 'relation' ? g : null;
    return rel !== null && rel.kind === 'relation' && set !== null && relationMatchesSet(rel, set) === true;
  }
  // x = 3 vs 3, and y = 2x+1 vs y = 1+2x (same name) vs 2x+1.
  if (p.kind === 'eq' && g.kind === 'eq') return sameName(p.lhs, g.lhs) && valuesEqual(p.rhs, g.rhs, ctx);
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
    case 'set': {
      // \{1,2\} vs 1, 2 vs 2, 1: all unordered; p = 5, q = 2 vs (5, 2): the values in order
      if (g.kind === 'set') return unorderedEqual(p.items, g.items, ctx);
      const values = assignmentValues(p);
      if (values && g.kind === 'tuple') return orderedEqual(values, g.items, ctx);
      const u = asUnion(p);
      if (u && g.kind === 'union') return valuesEqual(u, g, ctx);
      return false;
    }
    case 'tuple':
      if (g.kind === 'tuple') return p.items.length === g.items.length && sameBrackets(p, g) && orderedEqual(p.items, g.items, ctx);
      // (a, b) written by one side as a tuple is also the open interval (a, b)
      if (g.kind === 'interval' && p.items.length === 2 && p.open === '(' && p.close === ')') {
        return !g.loClosed && !g.hiClosed && valuesEqual(p.items[0]!, g.lo, ctx) && valuesEqual(p.items[1]!, g.hi, ctx);
      }
      if (g.kind === 'matrix') return matrixVsTuple(g, p, ctx);
      if (g.kind === 'set') {
        const values = assignmentValues(g);
        return values !== null && orderedEqual(p.items, values, ctx);
      }
      return false;
    case 'interval':
      if (g.kind === 'interval') {
        return p.loClosed === g.loClosed && p.hiClosed === g.hiClosed && valuesEqual(p.lo, g.lo, ctx) && valuesEqual(p.hi, g.hi, ctx);
      }
      if (g.kind === 'tuple') return valuesEqual(g, p, ctx);
      return false;
    case 'union': {
      const u = asUnion(g);
      if (u && u.kind === 'union') return unorderedEqual(p.parts, u.parts, ctx);
      return false;
    }
    case 'matrix':
      if (g.kind === 'matrix') {
        return p.rows.length === g.rows.length && p.rows.every((r, i) => orderedEqual(r, g.rows[i]!, ctx));
      }
      if (g.kind === 'tuple') return matrixVsTuple(p, g, ctx);
      return false;
    case 'ratio':
      return g.kind === 'ratio' && orderedEqual(p.items, g.items, ctx);
  }
  return false;
}

/** (1,2) and [1,2] written as tuples are the same point when both use round brackets, or both square ones. */
function sameBrackets(a: Extract<Value, { kind: 'tuple' }>, b: Extract<Value, { kind: 'tuple' }>): boolean {
  return a.open === b.open && a.close === b.close;
}

/** A column or row vector written as a matrix equals the same tuple. */
function matrixVsTuple(m: Extract<Value, { kind: 'matrix' }>, t: Extract<Value, { kind: 'tuple' }>, ctx: EquivalenceContext): boolean {
  const flat = m.rows.length === 1 ? m.rows[0]! : m.rows.every((r) => r.length === 1) ? m.rows.map((r) => r[0]!) : null;
  return flat !== null && orderedEqual(flat, t.items, ctx);
}

