// Sums, differences and products of constant matrices written in LaTeX, evaluated to one matrix:
// `\begin{pmatrix}1&2\\3&4\end{pmatrix} + \begin{pmatrix}5&6\\7&8\end{pmatrix}` is [[6, 8], [10, 12]], and
// `2\begin{pmatrix}…\end{pmatrix}`, `A \cdot B`, `AB` (juxtaposition) are products, as Math-Verify evaluates them.
//
//   expr   = term (('+' | '-') term)*
//   term   = factor (('\cdot' | '\times' | '*' | nothing) factor)*
//   factor = matrix | '(' expr ')' | '-' factor | a constant scalar (`2`, `\frac{1}{2}`)
//
// Entries must be constants (mathjs evaluates them); anything else returns null and the answer is compared
// as written. Sizes are capped like every other structure (64 rows/columns).
import { matchBrace } from './braces';
import { compileScalar, isRealC } from './scalar-equivalence';

type M = number[][];
type Operand = { kind: 'matrix'; m: M } | { kind: 'scalar'; x: number };

const MATRIX_BEGIN = /^\\begin\{([pbvBV]?matrix|smallmatrix|array)\}(?:\{[^}]*\})?/;
const MAX_SIZE = 64;

// Thrown (a plain object: no stack trace to capture) when the expression is not constant matrix arithmetic.
const NOT_CONSTANT = { notConstant: true };

function constant(src: string): number {
  const c = compileScalar(src.trim());
  if (!c || c.symbols.length > 0) throw NOT_CONSTANT;
  const z = c.evaluate({});
  if (!isRealC(z) || !Number.isFinite(z.re)) throw NOT_CONSTANT;
  return z.re;
}

function add(a: Operand, b: Operand, sign: 1 | -1): Operand {
  if (a.kind === 'scalar' && b.kind === 'scalar') return { kind: 'scalar', x: a.x + sign * b.x };
  if (a.kind !== 'matrix' || b.kind !== 'matrix') throw NOT_CONSTANT; // matrix + scalar is not defined
  if (a.m.length !== b.m.length || a.m.some((r, i) => r.length !== b.m[i]!.length)) throw NOT_CONSTANT;
  return { kind: 'matrix', m: a.m.map((r, i) => r.map((x, j) => x + sign * b.m[i]![j]!)) };
}

function mul(a: Operand, b: Operand): Operand {
  if (a.kind === 'scalar' && b.kind === 'scalar') return { kind: 'scalar', x: a.x * b.x };
  if (a.kind === 'scalar' && b.kind === 'matrix') return { kind: 'matrix', m: b.m.map((r) => r.map((x) => a.x * x)) };
  if (a.kind === 'matrix' && b.kind === 'scalar') return mul(b, a);
  const [p, q] = [(a as { m: M }).m, (b as { m: M }).m];
  // (p q)_ij = Σ_k p_ik q_kj
  if (p[0]!.length !== q.length) throw NOT_CONSTANT;
  return { kind: 'matrix', m: p.map((row) => q[0]!.map((_, j) => row.reduce((s, x, k) => s + x * q[k]![j]!, 0))) };
}

class Parser {
  i = 0;
  constructor(private readonly s: string) {}
  private skip() {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }
  private peekOp(): string | null {
    this.skip();
    const rest = this.s.slice(this.i, this.i + 8);
    const m = /^(?:\+|-|\*|\\cdot(?![A-Za-z])|\\times(?![A-Za-z]))/.exec(rest);
    return m ? m[0] : null;
  }
  expr(): Operand {
    let v = this.term();
    for (let op = this.peekOp(); op === '+' || op === '-'; op = this.peekOp()) {
      this.i += op.length;
      v = add(v, this.term(), op === '+' ? 1 : -1);
    }
    return v;
  }
  private term(): Operand {
    let v = this.factor();
    for (;;) {
      const op = this.peekOp();
      if (op === '*' || op === '\\cdot' || op === '\\times') this.i += op.length;
      else if (op !== null || this.i >= this.s.length || this.s[this.i] === ')') return v;
      v = mul(v, this.factor());
    }
  }
  private factor(): Operand {
    this.skip();
    const rest = this.s.slice(this.i);
    if (rest.startsWith('-')) {
      this.i++;
      return mul({ kind: 'scalar', x: -1 }, this.factor());
    }
    if (rest.startsWith('(')) {
      const close = matchBrace(this.s, this.i, '(', ')');
      if (close < 0) throw NOT_CONSTANT;
      const inner = new Parser(this.s.slice(this.i + 1, close));
      const v = inner.expr();
      inner.skip();
      if (inner.i < inner.s.length) throw NOT_CONSTANT;
      this.i = close + 1;
      return v;
    }
    const begin = MATRIX_BEGIN.exec(rest);
    if (begin) {
      const end = `\\end{${begin[1]}}`;
      const at = this.s.indexOf(end, this.i);
      if (at < 0) throw NOT_CONSTANT;
      const rows = this.s.slice(this.i + begin[0].length, at).split(/\\\\/).map((r) => r.trim()).filter((r) => r !== '');
      this.i = at + end.length;
      if (rows.length === 0 || rows.length > MAX_SIZE) throw NOT_CONSTANT;
      const m = rows.map((r) => r.split('&').map(constant));
      if (m.some((r) => r.length !== m[0]!.length || r.length > MAX_SIZE)) throw NOT_CONSTANT;
      return { kind: 'matrix', m };
    }
    // a scalar: up to the next operator, parenthesis or matrix at brace depth 0
    let j = this.i;
    for (let depth = 0; j < this.s.length; j++) {
      const c = this.s[j]!;
      if (c === '{') depth++;
      else if (c === '}') depth--;
      else if (depth === 0 && (/[+\-*()]/.test(c) || /^\\(?:begin|cdot|times)(?![A-Za-z])/.test(this.s.slice(j, j + 7)))) break;
    }
    if (j === this.i) throw NOT_CONSTANT;
    const x = constant(this.s.slice(this.i, j));
    this.i = j;
    return { kind: 'scalar', x };
  }
}

/**
 * The rows of the matrix that `s` evaluates to (numbers), or null when `s` is not an arithmetic
 * expression of constant matrices that yields a matrix. Never throws.
 */
export function evaluateMatrixExpression(s: string): number[][] | null {
  if (!s.includes('\\begin{') || !s.includes('\\end{') || s.length > 2000) return null;
  try {
    const p = new Parser(s);
    const v = p.expr();
    return v.kind === 'matrix' && s.slice(p.i).trim() === '' ? v.m : null;
  } catch {
    return null;
  }
}
