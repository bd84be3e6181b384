// Parse a normalised answer into a small structure (scalar, tuple, set/list, interval, union, matrix,
// ratio, assignment, relation, text) so that equivalence can respect order where it matters: tuples,
// ratios and interval endpoints are ordered, sets and bare lists are not. Syntax only: deciding what is
// equal is equivalence.ts's job.
import { evaluateMatrixExpression } from './matrix-arithmetic';
import { compileScalar } from './scalar-equivalence';
import { normalizeAnswer } from './normalize';

/** Relation operators after normalisation. */
export type RelOp = '=' | '\\neq' | '<' | '>' | '\\leq' | '\\geq';

export type Value =
  | { kind: 'scalar'; src: string }
  | { kind: 'text'; src: string }
  | { kind: 'tuple'; items: Value[]; open: string; close: string }
  | { kind: 'set'; items: Value[]; braces: boolean }
  | { kind: 'interval'; lo: Value; hi: Value; loClosed: boolean; hiClosed: boolean }
  | { kind: 'union'; parts: Value[] }
  | { kind: 'matrix'; rows: Value[][] }
  | { kind: 'ratio'; items: Value[] }
  /** `name = value`: an answer named by its left side (`x = 3`, `f(x) = x^2`, `(p,q) = (3,2)`). */
  | { kind: 'eq'; lhs: string; rhs: Value; rhsSrc: string }
  /** Any other (in)equality or chain of them: `2x+4y=3`, `-x > -1`, `1 \leq |z| \leq 2`. */
  | { kind: 'relation'; sides: string[]; ops: RelOp[]; src: string };

const MAX_ITEMS = 64;
const MAX_DEPTH = 12;

// Non-sticky twins of the separators: one search tells whether a string can be split at all, which
// spares the per-character sticky matching below for most strings.
const anywhere = new Map<RegExp, RegExp>();

/** Split at top-level matches of the sticky (`y`) regex `sep`, ignoring (), [], {}, \{ \}. */
export function splitTop(s: string, sep: RegExp): string[] {
  let twin = anywhere.get(sep);
  if (!twin) anywhere.set(sep, (twin = new RegExp(sep.source, sep.flags.replace('y', ''))));
  if (!twin.test(s)) return [s.trim()];
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  // If the separator matches at i, cut there and return the index to continue from; else return i.
  const cutAt = (i: number): number => {
    sep.lastIndex = i;
    const m = sep.exec(s);
    if (!m || m.index !== i || m[0].length === 0) return i;
    parts.push(s.slice(start, i));
    start = i + m[0].length;
    return start - 1;
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && (s[i + 1] === '{' || s[i + 1] === '}')) {
      depth += s[i + 1] === '{' ? 1 : -1;
      i++;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (depth === 0) i = cutAt(i);
  }
  parts.push(s.slice(start));
  return parts.map((p) => p.trim());
}

const COMMA = /,|;/y;
const SEMICOLON = /;/y;
const TOP_COMMA = /,/y;
const WORD_SEP = /(?<![A-Za-z])(?:and|or)(?![A-Za-z])/y;
const CUP = /\\cup(?![A-Za-z])|∪|\sU\s/y;
const REL = /\\leq|\\geq|\\neq|\\approx|<=|>=|!=|=|<|>|\\in(?![A-Za-z])/y;
const PM = /\\pm(?![A-Za-z])|±|\\mp(?![A-Za-z])|∓/;
const PM_ALL = /\\pm(?![A-Za-z])|±|\\mp(?![A-Za-z])|∓/g;
// Each \pm doubles the answers; more than three is not an answer anyone writes (and would blow up).
const MAX_PM = 3;
const RATIO = /:(?!=)/y;

/** Index of the bracket closing the one at 0 (any of ( [ { with ) ] }), or -1. */
function closingOfFirst(s: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') { i++; continue; }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

// A single variable: x, a_3, a_{37}, \theta, x', or a function of variables f(x), P(x,y).
const VARIABLE = /^(?:[A-Za-z]|\\[A-Za-z]+)(?:_\{?[A-Za-z0-9,]+\}?)?'*(?:\(\s*[A-Za-z](?:\s*,\s*[A-Za-z])*\s*\))?$/;
// Names that only label an answer: AB, \angle ABC, \overline{AB}, S_{MBCN}:S, \frac{NO}{BO}, (p,q,r).
const LETTERS = /^(?:m\s*)?(?:\\angle\s*)?[A-Za-z]{1,4}(?:_\{?[A-Za-z0-9]+\}?)?$|^\\overline\{[A-Za-z]{1,4}\}$/;

/** A single variable (the left side of `x > 3` that makes it an interval). */
export function isVariable(s: string): boolean {
  return VARIABLE.test(s.trim());
}

// A function applied to anything: f(2), h^{-1}(x), f^{-1}(f^{-1}(3)).
const APPLICATION = /^[A-Za-z](?:_\{?[A-Za-z0-9]+\}?)?(?:\^\{?-1\}?)?\(/;

/** The left side of an assignment `name = value`: a variable, letters naming a quantity, a function value, a ratio/fraction/tuple of names. */
export function isName(raw: string): boolean {
  const s = raw.trim();
  if (VARIABLE.test(s) || LETTERS.test(s)) return true;
  const app = APPLICATION.exec(s);
  if (app && closingOfFirst(s.slice(app[0].length - 1)) === s.length - app[0].length) return true;
  const frac = /^\\frac\{([^{}]+)\}\{([^{}]+)\}$/.exec(s);
  if (frac) return isName(frac[1]!) && isName(frac[2]!);
  const ratio = splitTop(s, /[:/]/y);
  if (ratio.length === 2) return ratio.every((p) => p !== '' && (VARIABLE.test(p) || LETTERS.test(p)));
  if (s.startsWith('(') && s.endsWith(')') && closingOfFirst(s) === s.length - 1) {
    const parts = splitTop(s.slice(1, -1), COMMA);
    return parts.length >= 2 && parts.every((p) => VARIABLE.test(p));
  }
  return false;
}

/** Canonical spelling of a name for comparing left sides: no spaces or grouping braces. */
export function canonicalName(s: string): string {
  return s.replace(/[\s{}]/g, '');
}

function isInfinite(v: Value): boolean {
  return v.kind === 'scalar' && /^[-+]?\s*\\infty$/.test(v.src.trim());
}

/** A constant (no free variables) that mathjs can evaluate, or a tuple/list of them: `2+2`, `(\frac{5-3}{2}, 4)`. */
function isConstant(s: string, depth: number): boolean {
  const c = compileScalar(s);
  if (c !== null) return c.symbols.length === 0;
  if (!/^[([]/.test(s.trim())) return false;
  const v = parseValue(s, depth + 1);
  return v.kind === 'tuple' && leaves(v).every((leaf) => compileScalar(leaf)?.symbols.length === 0);
}

// Parses are memoised (bounded): the same reference, and the same pieces of an answer, come back often.
// Values are never mutated after parsing, so sharing them is safe.
const parsed = new Map<string, Value>();

/** Parse a normalised answer. Never throws (callers wrap anyway); depth and width are capped. */
export function parseValue(s: string, depth = 0): Value {
  const key = `${depth}\u0000${s}`;
  const hit = parsed.get(key);
  if (hit) return hit;
  const v = parseUncached(s.trim(), depth);
  if (parsed.size > 5000) parsed.clear();
  parsed.set(key, v);
  return v;
}

function parseUncached(s: string, depth: number): Value {
  if (depth > MAX_DEPTH) return { kind: 'text', src: s };

  const matrix = parseMatrix(s, depth);
  if (matrix) return matrix;

  // Unions: of finite sets, one set (`\{1,3\} \cup \{2,4\}`); of intervals, an unordered union.
  const cup = splitTop(s, CUP);
  if (cup.length > 1 && cup.length <= MAX_ITEMS) {
    const parts = cup.map((p) => parseValue(p, depth + 1));
    if (parts.every((p) => p.kind === 'set' && p.braces)) {
      return { kind: 'set', items: parts.flatMap((p) => (p.kind === 'set' ? p.items : [])), braces: true };
    }
    return { kind: 'union', parts };
  }

  const list = parseList(s, depth);
  if (list) return list;

  const rel = parseRelation(s, depth);
  if (rel) return rel;

  // Ratios 7:32, 12:00 (ordered; not a time, not a division).
  const ratio = splitTop(s, RATIO);
  if (ratio.length >= 2 && ratio.length <= 4 && ratio.every((p) => p !== '' && p.length <= 30 && !/[A-Za-z]{3,}\s/.test(`${p} `))) {
    return { kind: 'ratio', items: ratio.map((p) => parseValue(p, depth + 1)) };
  }

  // Sets \{ … \}.
  if (s.startsWith('\\{') && s.endsWith('\\}')) {
    const inner = s.slice(2, -2);
    const parts = inner.trim() === '' ? [] : splitTop(inner, COMMA);
    if (parts.length <= MAX_ITEMS) return { kind: 'set', items: flatten(parts.map((p) => parseValue(p, depth + 1))), braces: true };
  }

  // Bracketed: tuples, intervals.
  if ((s[0] === '(' || s[0] === '[') && (s.endsWith(')') || s.endsWith(']')) && closingOfFirst(s) === s.length - 1) {
    const inner = s.slice(1, -1);
    const parts = splitTop(inner, COMMA);
    if (parts.length >= 2 && parts.length <= MAX_ITEMS) {
      const open = s[0]!;
      const closeCh = s[s.length - 1]!;
      const vals = parts.map((p) => parseValue(p, depth + 1));
      if (parts.length === 2 && (open === '[' || closeCh === ']' || vals.some(isInfinite))) {
        return { kind: 'interval', lo: vals[0]!, hi: vals[1]!, loClosed: open === '[', hiClosed: closeCh === ']' };
      }
      return { kind: 'tuple', items: vals, open, close: closeCh };
    }
  }

  // a \pm b: the two answers a+b and a-b (also inside fractions: \frac{-1 \pm \sqrt{13}}{4}).
  const pm = PM.exec(s);
  if (pm && (s.match(PM_ALL) ?? []).length <= MAX_PM) {
    const plusFirst = pm[0] === '\\pm' || pm[0] === '±';
    const at = (op: string) => `${s.slice(0, pm.index)}${op}${s.slice(pm.index + pm[0].length)}`;
    return { kind: 'set', items: [parseValue(at(plusFirst ? '+' : '-'), depth + 1), parseValue(at(plusFirst ? '-' : '+'), depth + 1)], braces: false };
  }

  // Mixed numbers: 2\frac{1}{2}, 2 1/2 (only a whole number followed by a proper fraction).
  const mixed = /^([-+]?)(\d+)\s*(?:\\frac\{(\d+)\}\{(\d+)\}|\\frac(\d)(\d)|\s(\d+)\/(\d+))$/.exec(s);
  if (mixed) {
    const num = Number(mixed[3] ?? mixed[5] ?? mixed[7]);
    const den = Number(mixed[4] ?? mixed[6] ?? mixed[8]);
    if (den > 0 && num < den) return { kind: 'scalar', src: `${mixed[1]}(${mixed[2]}+\\frac{${num}}{${den}})` };
  }

  // Sums and products of constant matrices: the matrix they evaluate to.
  const evaluated = evaluateMatrixExpression(s);
  if (evaluated) return { kind: 'matrix', rows: evaluated.map((r) => r.map((x): Value => ({ kind: 'scalar', src: String(x) }))) };

  return { kind: 'scalar', src: s };
}

/** Matrices and vectors, also inside brackets (`\left[\begin{array}{cc}…\end{array}\right]`). */
function parseMatrix(s: string, depth: number): Value | null {
  let t = s;
  const wrapped = /^[[(]\s*(\\begin\{[\s\S]*\\end\{[A-Za-z]+\})\s*[\])]$/.exec(t);
  if (wrapped) t = wrapped[1]!;
  const mat = /^\\begin\{([pbvBV]?matrix|array|smallmatrix)\}(?:\{[^}]*\})?([\s\S]*)\\end\{\1\}$/.exec(t);
  // two matrices with something between them (a sum, a product) are not one matrix
  if (!mat || mat[2]!.includes(`\\end{${mat[1]}}`)) return null;
  const rows = mat[2]!.split(/\\\\/).map((r) => r.trim()).filter((r) => r !== '' && !/^\\hline$/.test(r));
  if (rows.length > MAX_ITEMS) return null;
  return { kind: 'matrix', rows: rows.map((r) => r.split('&').slice(0, MAX_ITEMS).map((c) => parseValue(c, depth + 1))) };
}

/** Splice unbraced sets into the list they sit in (`x = 1 \pm 2` inside `a, b`), and `x = {a, b}` into `x = a, x = b`. */
function flatten(items: Value[]): Value[] {
  const out: Value[] = [];
  for (const v of items) {
    if (v.kind === 'set' && !v.braces) out.push(...flatten(v.items));
    else if (v.kind === 'eq' && v.rhs.kind === 'set' && !v.rhs.braces) out.push(...v.rhs.items.map((r) => ({ ...v, rhs: r })));
    else out.push(v);
  }
  return out.slice(0, MAX_ITEMS);
}

function stripConnective(p: string): string {
  return p.replace(/^(?:and|or)(?![A-Za-z])\s*/i, '').trim();
}

/**
 * Bare lists (unordered): `1, 2, 3`, `x = 1 or x = 2`, `21, 16 or 11`, `-12; -11`. Solutions made of
 * several assignments are grouped: `p=5, q=2; p=7, q=2` and `p = 5, q = 2 and p = 7, q = 2` are two
 * solutions of two assignments each.
 */
function parseList(s: string, depth: number): Value | null {
  let groups = splitTop(s, SEMICOLON).filter((p) => p !== '');
  if (groups.length <= 1) {
    const words = splitTop(s, WORD_SEP).map(stripConnective).filter((p) => p !== '');
    if (words.length > 1 && words.every((w) => splitTop(w, TOP_COMMA).filter((p) => p !== '').length > 1)) groups = words;
  }
  if (groups.length > 1) {
    if (groups.length > MAX_ITEMS) return { kind: 'text', src: s };
    return { kind: 'set', items: groups.map((g) => parseValue(g, depth + 1)), braces: false };
  }
  const items = splitTop(s, TOP_COMMA).flatMap((p) => splitTop(p, WORD_SEP)).map(stripConnective).filter((p) => p !== '');
  if (items.length <= 1) return null;
  if (items.length > MAX_ITEMS) return { kind: 'text', src: s };
  return { kind: 'set', items: flatten(items.map((p) => parseValue(p, depth + 1))), braces: false };
}

/** Split a relation chain: alternating [side, op, side, op, side], or null when there is no top-level relation. */
function splitWithOps(s: string): string[] | null {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && (s[i + 1] === '{' || s[i + 1] === '}')) { depth += s[i + 1] === '{' ? 1 : -1; i++; continue; }
    if (c === '(' || c === '[' || c === '{') { depth++; continue; }
    if (c === ')' || c === ']' || c === '}') { depth--; continue; }
    if (depth !== 0) continue;
    REL.lastIndex = i;
    const m = REL.exec(s);
    if (m && m.index === i) {
      out.push(s.slice(start, i).trim(), m[0]);
      start = i + m[0].length;
      i = start - 1;
    }
  }
  if (out.length === 0) return null;
  out.push(s.slice(start).trim());
  return out.length <= 41 ? out : null; // at most 20 relations in a chain
}

function normOp(op: string): RelOp | '\\in' | '\\approx' {
  switch (op) {
    case '<=': return '\\leq';
    case '>=': return '\\geq';
    case '!=': return '\\neq';
    default: return op as RelOp | '\\in' | '\\approx';
  }
}

const FLIP: Record<string, RelOp> = { '<': '>', '>': '<', '\\leq': '\\geq', '\\geq': '\\leq', '=': '=', '\\neq': '\\neq' };
const INF: Value = { kind: 'scalar', src: '\\infty' };
const NEG_INF: Value = { kind: 'scalar', src: '-\\infty' };

/**
 * Relations. `x \approx 11` is the answer 11 and `x = 1/3 \approx 0.33` the answer x = 1/3; a chain
 * `x = 5+5+1 = 11` keeps its last value; `x \in S` is S; `name = value` is an assignment; `x > 3` and
 * `1 < x \leq 5` on a variable are intervals; anything else stays a relation.
 */
function parseRelation(s: string, depth: number): Value | null {
  const split = splitWithOps(s);
  if (!split) return null;
  let sides = split.filter((_, k) => k % 2 === 0);
  let ops = split.filter((_, k) => k % 2 === 1).map(normOp);
  if (sides.some((p) => p === '')) return { kind: 'text', src: s };

  const approx = ops.indexOf('\\approx');
  if (approx >= 0) {
    if (approx === 0 && isName(sides[0]!)) ops[0] = '=';
    else {
      sides = sides.slice(0, approx + 1);
      ops = ops.slice(0, approx);
    }
    const again = ops.indexOf('\\approx');
    if (again >= 0) {
      sides = sides.slice(0, again + 1);
      ops = ops.slice(0, again);
    }
    if (ops.length === 0) return parseValue(sides[0]!, depth + 1);
  }
  if (ops.length === 1 && ops[0] === '\\in') return isVariable(sides[0]!) ? parseValue(sides[1]!, depth + 1) : { kind: 'text', src: s };
  if (ops.includes('\\in')) return { kind: 'text', src: s };
  const relOps = ops as RelOp[];

  if (relOps.every((o) => o === '=')) {
    const [first, last] = [sides[0]!, sides[sides.length - 1]!];
    const assign = (lhs: string, rhs: string): Value => ({ kind: 'eq', lhs: canonicalName(lhs), rhs: parseValue(rhs, depth + 1), rhsSrc: rhs });
    if (sides.length >= 3) return isName(first) ? assign(first, last) : parseValue(last, depth + 1);
    if (isName(first)) return assign(first, last);
    if (isConstant(first, depth)) {
      if (isName(last)) return assign(last, first); // 1 = x
      if (isConstant(last, depth)) return parseValue(last, depth + 1); // a computation 2 + 2 = 4
    }
    return { kind: 'relation', sides, ops: relOps, src: s };
  }

  if (sides.length === 2 && relOps[0] !== '=' && relOps[0] !== '\\neq') {
    let [l, r] = sides as [string, string];
    let op: RelOp = relOps[0]!;
    if (!isVariable(l) && isVariable(r)) {
      [l, r] = [r, l];
      op = FLIP[op]!;
    }
    if (isVariable(l)) {
      const bound = parseValue(r, depth + 1);
      if (op === '<' || op === '\\leq') return { kind: 'interval', lo: NEG_INF, hi: bound, loClosed: false, hiClosed: op === '\\leq' };
      return { kind: 'interval', lo: bound, hi: INF, loClosed: op === '\\geq', hiClosed: false };
    }
  }
  if (sides.length === 3 && isVariable(sides[1]!)) {
    // a < x < b   or   b > x > a
    const [o1, o2] = relOps as [RelOp, RelOp];
    const lt = (o: RelOp) => o === '<' || o === '\\leq';
    const gt = (o: RelOp) => o === '>' || o === '\\geq';
    const [a, b] = [sides[0]!, sides[2]!];
    if (lt(o1) && lt(o2)) return { kind: 'interval', lo: parseValue(a, depth + 1), hi: parseValue(b, depth + 1), loClosed: o1 === '\\leq', hiClosed: o2 === '\\leq' };
    if (gt(o1) && gt(o2)) return { kind: 'interval', lo: parseValue(b, depth + 1), hi: parseValue(a, depth + 1), loClosed: o2 === '\\geq', hiClosed: o1 === '\\geq' };
  }
  return { kind: 'relation', sides, ops: relOps, src: s };
}

/** Every scalar/text leaf of a value (and the sides of relations), for "does this parse" checks. */
function leaves(v: Value): string[] {
  switch (v.kind) {
    case 'scalar': case 'text': return [v.src];
    case 'relation': return v.sides;
    case 'eq': return leaves(v.rhs);
    case 'tuple': case 'set': case 'ratio': return v.items.flatMap(leaves);
    case 'interval': return [...leaves(v.lo), ...leaves(v.hi)];
    case 'union': return v.parts.flatMap(leaves);
    case 'matrix': return v.rows.flat().flatMap(leaves);
  }
}

/** Plain words (`Evelyn`, `odd`, `June 20`, `B`): a text answer, not broken maths. */
function isPlainText(s: string): boolean {
  return s.length <= 40 && /^[\p{L}\d\s()'.-]+$/u.test(s) && /\p{L}/u.test(s);
}

/**
 * Whether a candidate string found in free text reads as an answer: after normalisation every leaf is
 * maths mathjs can evaluate, or a few plain words. Used by the `math-verify` extraction to skip
 * environments such as `$\sum_{k=0}^n k$` that cannot be graded.
 */
const parseableMemo = new Map<string, boolean>();

export function isParseableAnswer(raw: string): boolean {
  if (raw.length > 500) return false;
  const hit = parseableMemo.get(raw);
  if (hit !== undefined) return hit;
  const res = parseable(raw);
  if (parseableMemo.size > 5000) parseableMemo.clear(); // bounded memo
  parseableMemo.set(raw, res);
  return res;
}

function parseable(raw: string): boolean {
  const n = normalizeAnswer(raw).text;
  if (n === '') return false;
  return leaves(parseValue(n)).every((leaf) => leaf === '' || compileScalar(leaf) !== null || isPlainText(leaf) || /^[-+]?\\infty$/.test(leaf.trim()));
}

/** For error messages and diagnostics. */
export function describe(v: Value): string {
  switch (v.kind) {
    case 'scalar': case 'text': return v.src;
    case 'relation': return v.src;
    case 'tuple': return `(${v.items.map(describe).join(', ')})`;
    case 'set': return `{${v.items.map(describe).join(', ')}}`;
    case 'ratio': return v.items.map(describe).join(':');
    case 'interval': return `${v.loClosed ? '[' : '('}${describe(v.lo)}, ${describe(v.hi)}${v.hiClosed ? ']' : ')'}`;
    case 'union': return v.parts.map(describe).join(' U ');
    case 'matrix': return `[${v.rows.map((r) => r.map(describe).join(' & ')).join(' ; ')}]`;
    case 'eq': return `${v.lhs} = ${describe(v.rhs)}`;
  }
}
