// Parse a normalised answer into a small structure (scalar, tuple, set/list, interval, union,
// matrix, equation, text) so that equivalence can respect order where it matters: tuples and
// interval endpoints are ordered, sets and bare comma lists are not.
export type Value =
  | { kind: 'scalar'; src: string }
  | { kind: 'text'; src: string }
  | { kind: 'tuple'; items: Value[]; open: string; close: string }
  | { kind: 'set'; items: Value[]; braces: boolean }
  | { kind: 'interval'; lo: Value; hi: Value; loClosed: boolean; hiClosed: boolean }
  | { kind: 'union'; parts: Value[] }
  | { kind: 'matrix'; rows: Value[][] }
  | { kind: 'eq'; lhs: string; rhs: Value }
  | { kind: 'relation'; src: string };

const MAX_ITEMS = 64;
const MAX_DEPTH = 12;

/** Split at top-level matches of the sticky (`y`) regex `sep`, ignoring (), [], {}, \{ \}. */
export function splitTop(s: string, sep: RegExp): string[] {
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
const WORD_SEP = /\s(?:or|and)\s/y;
const CUP = /\\cup(?![A-Za-z])|∪|\sU\s/y;
const REL = /\\leq|\\geq|\\neq|<=|>=|=|<|>|\\in(?![A-Za-z])/y;
const PM = /\\pm(?![A-Za-z])|±/y;

/** Index of the bracket closing the one at 0 (any of ( [ with ) ]), or -1. */
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

const SIMPLE_LHS = /^(?:[A-Za-z](?:_\{?[A-Za-z0-9]+\}?)?|\\[A-Za-z]+|[A-Za-z]\([A-Za-z]\))$/;

function isInfinite(v: Value): boolean {
  return v.kind === 'scalar' && /^[-+]?\s*\\infty$/.test(v.src.trim());
}

/** Parse a normalised answer. Never throws (callers wrap anyway); depth and width are capped. */
export function parseValue(s: string, depth = 0): Value {
  s = s.trim();
  if (depth > MAX_DEPTH) return { kind: 'text', src: s };

  // Matrices and column vectors.
  const mat = /^\\begin\{([pbvBV]?matrix|array)\}(?:\{[^}]*\})?([\s\S]*)\\end\{\1\}$/.exec(s);
  if (mat) {
    const rows = mat[2]!.split(/\\\\/).map((r) => r.trim()).filter((r) => r !== '');
    if (rows.length <= MAX_ITEMS) {
      return { kind: 'matrix', rows: rows.map((r) => r.split('&').slice(0, MAX_ITEMS).map((c) => parseValue(c, depth + 1))) };
    }
  }

  // Unions of intervals.
  const cup = splitTop(s, CUP);
  if (cup.length > 1 && cup.length <= MAX_ITEMS) return { kind: 'union', parts: cup.map((p) => parseValue(p, depth + 1)) };

  // Bare lists: "1, 2, 3", "x = 1 or x = 2" (unordered, see docs/grader.md).
  let items = splitTop(s, COMMA).filter((p) => p !== '');
  if (items.length <= 1) items = splitTop(s, WORD_SEP).filter((p) => p !== '');
  if (items.length > 1) {
    if (items.length > MAX_ITEMS) return { kind: 'text', src: s };
    return { kind: 'set', items: items.map((p) => parseValue(p, depth + 1)), braces: false };
  }

  // Relations: x = 3, y = 2x + 1, x > 3, 1 < x \leq 5, x \in [1, 2].
  const rel = splitWithOps(s);
  if (rel) {
    const v = relation(rel, s, depth);
    if (v) return v;
  }

  // \pm: a \pm b -> {a+b, a-b}
  const pm = splitTop(s, PM);
  if (pm.length === 2) {
    const [a, b] = pm as [string, string];
    const left = a === '' ? '' : a;
    return { kind: 'set', items: [parseValue(`${left}+${b}`, depth + 1), parseValue(`${left}-${b}`, depth + 1)], braces: false };
  }

  // Sets \{ … \}.
  if (s.startsWith('\\{') && s.endsWith('\\}')) {
    const inner = s.slice(2, -2);
    const parts = inner.trim() === '' ? [] : splitTop(inner, COMMA);
    if (parts.length <= MAX_ITEMS) return { kind: 'set', items: parts.map((p) => parseValue(p, depth + 1)), braces: true };
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

  // Mixed numbers: 2\frac{1}{2}, 2 1/2 (only a whole number followed by a proper fraction).
  const mixed = /^(-?)(\d+)\s*(?:\\frac\{(\d+)\}\{(\d+)\}|\\frac(\d)(\d)|\s(\d+)\/(\d+))$/.exec(s);
  if (mixed) {
    const num = Number(mixed[3] ?? mixed[5] ?? mixed[7]);
    const den = Number(mixed[4] ?? mixed[6] ?? mixed[8]);
    if (den > 0 && num < den) return { kind: 'scalar', src: `${mixed[1]}(${mixed[2]}+\\frac{${num}}{${den}})` };
  }

  return { kind: 'scalar', src: s };
}

/** Split a relation chain: returns alternating [side, op, side, op, side] or null. */
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
  return out.length <= 7 ? out : null;
}

const FLIP: Record<string, string> = { '<': '>', '>': '<', '\\leq': '\\geq', '\\geq': '\\leq', '<=': '>=', '>=': '<=' };
const INF = { kind: 'scalar', src: '\\infty' } as const;
const NEG_INF = { kind: 'scalar', src: '-\\infty' } as const;

function relation(parts: string[], s: string, depth: number): Value | null {
  const norm = (op: string) => (op === '<=' ? '\\leq' : op === '>=' ? '\\geq' : op);
  if (parts.length === 3) {
    let [l, op, r] = parts as [string, string, string];
    op = norm(op);
    if (op === '\\in' && SIMPLE_LHS.test(l)) return parseValue(r, depth + 1);
    if (op === '=') {
      if (SIMPLE_LHS.test(l)) return { kind: 'eq', lhs: l.replace(/[{}]/g, ''), rhs: parseValue(r, depth + 1) };
      return { kind: 'relation', src: s };
    }
    if (op in FLIP || op === '<' || op === '>') {
      // put the variable on the left
      if (!SIMPLE_LHS.test(l) && SIMPLE_LHS.test(r)) {
        [l, r] = [r, l];
        op = FLIP[op] ?? op;
      }
      if (!SIMPLE_LHS.test(l)) return { kind: 'relation', src: s };
      const bound = parseValue(r, depth + 1);
      if (op === '<' || op === '\\leq') return { kind: 'interval', lo: NEG_INF, hi: bound, loClosed: false, hiClosed: op === '\\leq' };
      if (op === '>' || op === '\\geq') return { kind: 'interval', lo: bound, hi: INF, loClosed: op === '\\geq', hiClosed: false };
    }
    return { kind: 'relation', src: s };
  }
  if (parts.length === 5) {
    // a < x < b   or   b > x > a
    let [a, op1, x, op2, b] = parts as [string, string, string, string, string];
    op1 = norm(op1);
    op2 = norm(op2);
    if (!SIMPLE_LHS.test(x)) return { kind: 'relation', src: s };
    const lt = (o: string) => o === '<' || o === '\\leq';
    const gt = (o: string) => o === '>' || o === '\\geq';
    if (lt(op1) && lt(op2)) return { kind: 'interval', lo: parseValue(a, depth + 1), hi: parseValue(b, depth + 1), loClosed: op1 === '\\leq', hiClosed: op2 === '\\leq' };
    if (gt(op1) && gt(op2)) return { kind: 'interval', lo: parseValue(b, depth + 1), hi: parseValue(a, depth + 1), loClosed: op2 === '\\geq', hiClosed: op1 === '\\geq' };
    return { kind: 'relation', src: s };
  }
  return { kind: 'relation', src: s };
}

/** For error messages and diagnostics. */
export function describe(v: Value): string {
  switch (v.kind) {
    case 'scalar': case 'text': case 'relation': return v.src;
    case 'tuple': return `(${v.items.map(describe).join(', ')})`;
    case 'set': return `{${v.items.map(describe).join(', ')}}`;
    case 'interval': return `${v.loClosed ? '[' : '('}${describe(v.lo)}, ${describe(v.hi)}${v.hiClosed ? ']' : ')'}`;
    case 'union': return v.parts.map(describe).join(' U ');
    case 'matrix': return `[${v.rows.map((r) => r.map(describe).join(' & ')).join(' ; ')}]`;
    case 'eq': return `${v.lhs} = ${describe(v.rhs)}`;
  }
}
