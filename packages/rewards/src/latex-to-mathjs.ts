// Convert one scalar LaTeX expression (already normalised, no commas/relations at top level) into
// a mathjs expression string. We tokenise ourselves instead of relying on mathjs's own implicit
// multiplication, whose precedence rules differ from LaTeX (`2 1/2`, `1/2x`), and so that unknown
// commands fail cleanly (the caller then falls back to string comparison).
import { matchBrace, readArgument } from './braces';

type Tok = { t: 'num' | 'id' | 'fn' | 'op' | 'lp' | 'rp' | 'post' | 'comma'; v: string };

export const MAX_TOKENS = 400;
const MAX_DEPTH = 40;

class ConvertError extends Error {}

// Names emitted as functions (always followed by a parenthesised argument list).
const FUNCS: Record<string, string> = {
  sin: 'sin', cos: 'cos', tan: 'tan', sec: 'sec', csc: 'csc', cot: 'cot',
  arcsin: 'asin', arccos: 'acos', arctan: 'atan', sinh: 'sinh', cosh: 'cosh', tanh: 'tanh',
  ln: 'log', exp: 'exp', sqrt: 'sqrt', abs: 'abs', floor: 'floor', ceil: 'ceil',
};
const INVERSE: Record<string, string> = { sin: 'asin', cos: 'acos', tan: 'atan' };
// Plain-text names models also write without a backslash.
const PLAIN_NAMES = new Set(['sqrt', 'pi', 'sin', 'cos', 'tan', 'ln', 'log', 'exp', 'abs', 'inf', 'infty', 'infinity', 'arcsin', 'arccos', 'arctan', 'floor', 'ceil']);
const CONSTS: Record<string, string> = { pi: 'pi', infty: 'Infinity', inf: 'Infinity', infinity: 'Infinity', e: 'e', i: 'i' };
const GREEK = new Set(['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'varepsilon', 'zeta', 'eta', 'theta', 'vartheta', 'iota', 'kappa', 'lambda', 'mu', 'nu', 'xi', 'rho', 'sigma', 'tau', 'upsilon', 'phi', 'varphi', 'chi', 'psi', 'omega', 'Gamma', 'Delta', 'Theta', 'Lambda', 'Xi', 'Sigma', 'Phi', 'Psi', 'Omega']);

class Converter {
  toks: Tok[] = [];
  constructor(private readonly depth: number) {
    if (depth > MAX_DEPTH) throw new ConvertError('too deep');
  }
  push(t: Tok['t'], v: string) {
    this.toks.push({ t, v });
    if (this.toks.length > MAX_TOKENS) throw new ConvertError('too long');
  }
  sub(s: string): Tok[] {
    const c = new Converter(this.depth + 1);
    c.run(s);
    if (c.toks.length === 0) throw new ConvertError('empty group');
    return c.toks;
  }
  /** fn(a, b) with both arguments converted. */
  call2(fn: string, a: string, b: string) {
    this.push('fn', fn);
    this.push('lp', '(');
    this.group(a);
    this.push('comma', ',');
    this.group(b);
    this.push('rp', ')');
  }
  group(s: string) {
    this.push('lp', '(');
    for (const t of this.sub(s)) this.push(t.t, t.v);
    this.push('rp', ')');
  }
  /** A command argument: braced group or a single token (`\frac12`, `\sqrt2`). */
  arg(s: string, i: number): [string, number] {
    const a = readArgument(s, i, 'char');
    if (!a) throw new ConvertError('missing argument');
    return a;
  }

  run(s: string) {
    let i = 0;
    while (i < s.length) {
      const c = s[i]!;
      if (c === ' ' || c === '\t' || c === '\n') { i++; continue; }
      if (/[0-9.]/.test(c)) {
        const m = /^(?:\d+(?:\.\d*)?|\.\d+)/.exec(s.slice(i, i + 64));
        if (!m) throw new ConvertError('bad number');
        this.push('num', m[0].endsWith('.') ? m[0].slice(0, -1) : m[0]);
        i += m[0].length;
        continue;
      }
      if (/[A-Za-z]/.test(c)) {
        let j = i;
        while (j < s.length && /[A-Za-z]/.test(s[j]!)) j++;
        const word = s.slice(i, j);
        i = j;
        if (PLAIN_NAMES.has(word.toLowerCase())) { this.name(word.toLowerCase(), s, i); i = this.nameEnd; continue; }
        // LaTeX juxtaposition is multiplication: `ab` = a*b. Long words are prose, not maths.
        if (word.length > 3) throw new ConvertError(`word ${word}`);
        for (const ch of word) this.push('id', ch); // e and i stay mathjs's Euler number and imaginary unit
        i = this.subscript(s, i);
        continue;
      }
      if (c === '\\') {
        let j = i + 1;
        while (j < s.length && /[A-Za-z]/.test(s[j]!)) j++;
        if (j === i + 1) {
          // \{ \} \| \, etc.
          const ch = s[i + 1];
          if (ch === '|') { this.push('op', '|'); i += 2; continue; }
          throw new ConvertError(`escape \\${ch ?? ''}`);
        }
        const cmd = s.slice(i + 1, j);
        i = this.command(cmd, s, j);
        continue;
      }
      switch (c) {
        case '+': case '-': case '*': case '/': case '^':
          if (c === '^') { i = this.power(s, i + 1); continue; }
          this.push('op', c); i++; continue;
        case '(': case '[': this.push('lp', '('); i++; continue;
        case ')': case ']': this.push('rp', ')'); i++; continue;
        case '{': {
          const close = matchBrace(s, i);
          if (close < 0) throw new ConvertError('unbalanced');
          this.group(s.slice(i + 1, close));
          i = close + 1;
          continue;
        }
        case '!': this.push('post', '!'); i++; continue;
        case '|': this.push('op', '|'); i++; continue;
        case ',': this.push('comma', ','); i++; continue;
        case "'": throw new ConvertError('prime');
        default: throw new ConvertError(`char ${c}`);
      }
    }
  }

  nameEnd = 0;
  /** A named function or constant written as a word (`sqrt(2)`, `\sin x`, `\pi`). */
  name(word: string, s: string, i: number) {
    this.nameEnd = i;
    if (CONSTS[word]) { this.push('id', CONSTS[word]!); return; }
    if (word === 'log') return this.log(s, i);
    let fn = FUNCS[word];
    if (!fn) throw new ConvertError(`name ${word}`);
    if (word === 'sqrt') return this.sqrt(s, i);
    // \sin^2 x = (sin x)^2, \sin^{-1} x = arcsin x
    let k = i;
    while (s[k] === ' ') k++;
    let power: string | null = null;
    if (s[k] === '^') {
      const [p, end] = this.arg(s, k + 1);
      k = end;
      if (p.replace(/\s/g, '') === '-1') {
        fn = INVERSE[fn];
        if (!fn) throw new ConvertError('inverse');
      } else power = p;
      while (s[k] === ' ') k++;
    }
    const [a, end] = s[k] === '(' ? this.parenArg(s, k) : this.bareArg(s, k);
    if (power !== null) this.push('lp', '(');
    this.push('fn', fn);
    this.group(a);
    if (power !== null) {
      this.push('rp', ')');
      this.push('op', '^');
      this.group(power);
    }
    this.nameEnd = end;
  }
  /**
   * The argument of a function written without parentheses: a braced group, or a run of digits,
   * letters and Greek/\pi commands up to a space, an operator or another function (`\sin 2x`,
   * `\cos\theta`, `\sin x \cos x`).
   */
  bareArg(s: string, k: number): [string, number] {
    if (s[k] === '{') return this.arg(s, k);
    const cmd = /^\\(?:frac|dfrac|tfrac|sqrt)(?![A-Za-z])/.exec(s.slice(k, k + 7));
    if (cmd) {
      // \sin \frac{\pi}{6}: the command with its arguments
      let end = k + cmd[0].length;
      if (s[end] === '[') end = matchBrace(s, end, '[', ']') + 1;
      for (let n = cmd[0].endsWith('sqrt') ? 1 : 2; n > 0 && end > 0; n--) end = this.arg(s, end)[1];
      return [s.slice(k, end), end];
    }
    let j = k;
    while (j < s.length) {
      if (/[0-9.A-Za-z]/.test(s[j]!)) { j++; continue; }
      if (s[j] === '\\') {
        const m = /^\\([A-Za-z]+)/.exec(s.slice(j, j + 16));
        if (m && (GREEK.has(m[1]!) || m[1] === 'pi')) { j += m[0].length; continue; }
      }
      // \sin x^2 is sin(x^2); \cos \theta_1 keeps its subscript
      if ((s[j] === '^' || s[j] === '_') && j > k) { j = this.arg(s, j + 1)[1]; continue; }
      break;
    }
    if (j === k) return this.arg(s, k);
    return [s.slice(k, j), j];
  }
  parenArg(s: string, k: number): [string, number] {
    const close = matchBrace(s, k, '(', ')');
    if (close < 0) throw new ConvertError('unbalanced');
    return [s.slice(k + 1, close), close + 1];
  }
  sqrt(s: string, i: number) {
    let k = i;
    while (s[k] === ' ') k++;
    if (s[k] === '[') {
      const close = matchBrace(s, k, '[', ']');
      if (close < 0) throw new ConvertError('unbalanced');
      const [a, end] = this.arg(s, close + 1);
      this.call2('nthRoot', a, s.slice(k + 1, close));
      this.nameEnd = end;
      return;
    }
    const [a, end] = s[k] === '(' ? this.parenArg(s, k) : this.arg(s, k);
    this.push('fn', 'sqrt');
    this.group(a);
    this.nameEnd = end;
  }
  log(s: string, i: number) {
    let k = i;
    let base: string | null = null;
    if (s[k] === '_') {
      const [b, end] = this.arg(s, k + 1);
      base = b;
      k = end;
    }
    while (s[k] === ' ') k++;
    const [a, end] = s[k] === '(' ? this.parenArg(s, k) : this.bareArg(s, k);
    // \log without a base is the natural log (as \ln): ambiguous in school maths, but consistent on both sides.
    this.call2('log', a, base ?? 'e');
    this.nameEnd = end;
  }
  power(s: string, i: number): number {
    this.push('op', '^');
    let k = i;
    while (s[k] === ' ') k++;
    if (s[k] === '{') {
      const close = matchBrace(s, k);
      if (close < 0) throw new ConvertError('unbalanced');
      this.group(s.slice(k + 1, close));
      return close + 1;
    }
    if (s[k] === '(' || s[k] === '\\' ) return k; // ^(…) or ^\pi: parsed normally
    if (s[k] === '-' || s[k] === '+') {
      // x^-1: sign plus one atom
      const [a, end] = this.arg(s, k + 1);
      this.push('lp', '(');
      this.push('op', s[k]!);
      for (const t of this.sub(a)) this.push(t.t, t.v);
      this.push('rp', ')');
      return end;
    }
    const digits = /^\d+/.exec(s.slice(k, k + 8));
    if (digits) {
      // x^17 is x^{17}: answers written as plain text mean the whole number (TeX would read x^{1}7)
      this.group(digits[0]);
      return k + digits[0].length;
    }
    if (k < s.length && /[A-Za-z]/.test(s[k]!)) {
      this.group(s[k]!);
      return k + 1;
    }
    throw new ConvertError('bad exponent');
  }
  /** Subscripts become part of the symbol name: a_1, x_{n}. Numeric bases (1011_2) are not maths here. */
  subscript(s: string, i: number): number {
    if (s[i] !== '_') return i;
    const last = this.toks[this.toks.length - 1];
    if (!last || last.t !== 'id') throw new ConvertError('subscript');
    const [a, end] = this.arg(s, i + 1);
    if (!/^[A-Za-z0-9]{1,8}$/.test(a)) throw new ConvertError('subscript');
    last.v = `${last.v}_${a}`;
    return end;
  }
  command(cmd: string, s: string, i: number): number {
    switch (cmd) {
      case 'frac': {
        const [a, e1] = this.arg(s, i);
        const [b, e2] = this.arg(s, e1);
        this.push('lp', '(');
        this.group(a);
        this.push('op', '/');
        this.group(b);
        this.push('rp', ')');
        return e2;
      }
      case 'binom': case 'choose': {
        const [a, e1] = this.arg(s, i);
        const [b, e2] = this.arg(s, e1);
        this.call2('binom', a, b);
        return e2;
      }
      case 'sqrt': this.sqrt(s, i); return this.nameEnd;
      case 'cdot': case 'times': case 'ast': this.push('op', '*'); return i;
      case 'div': this.push('op', '/'); return i;
      case 'pi': this.push('id', 'pi'); return i;
      case 'infty': case 'infinity': this.push('id', 'Infinity'); return i;
      case 'lfloor': this.push('fn', 'floor'); this.push('lp', '('); return i;
      case 'lceil': this.push('fn', 'ceil'); this.push('lp', '('); return i;
      case 'rfloor': case 'rceil': this.push('rp', ')'); return i;
      case 'lvert': case 'rvert': case 'vert': case 'mid': this.push('op', '|'); return i;
      case 'log': this.log(s, i); return this.nameEnd;
      case 'exp': case 'ln': case 'sin': case 'cos': case 'tan': case 'sec': case 'csc': case 'cot':
      case 'arcsin': case 'arccos': case 'arctan': case 'sinh': case 'cosh': case 'tanh':
        this.name(cmd, s, i); return this.nameEnd;
      case 'mathrm': case 'mathbf': case 'text': case 'operatorname': case 'mathit': {
        const [a, e] = this.arg(s, i);
        this.group(a);
        return e;
      }
      default:
        if (GREEK.has(cmd)) {
          this.push('id', cmd);
          return this.subscript(s, i);
        }
        throw new ConvertError(`command \\${cmd}`);
    }
  }
}

const VALUE_END = new Set(['num', 'id', 'rp', 'post']);
const VALUE_START = new Set(['num', 'id', 'fn', 'lp']);

/** Join tokens, inserting `*` for juxtaposition and turning |x| pairs into abs(x). */
function render(toks: Tok[]): string {
  // |…| pairs: an opening bar is one not preceded by a value.
  const out: string[] = [];
  let prev: Tok | null = null;
  let openBars = 0;
  for (const tok of toks) {
    const t = tok;
    if (t.t === 'op' && t.v === '|') {
      const opening = !(prev && VALUE_END.has(prev.t)) || openBars === 0;
      if (opening) {
        if (prev && VALUE_END.has(prev.t)) out.push('*');
        out.push('abs(');
        openBars++;
        prev = { t: 'lp', v: '(' };
      } else {
        out.push(')');
        openBars--;
        prev = { t: 'rp', v: ')' };
      }
      continue;
    }
    if (prev && VALUE_END.has(prev.t) && VALUE_START.has(t.t)) {
      // `2 3` is not a product anyone writes; refuse rather than guess
      if (prev.t === 'num' && t.t === 'num') throw new ConvertError('adjacent numbers');
      out.push('*');
    }
    out.push(t.v);
    prev = t;
  }
  if (openBars !== 0) throw new ConvertError('unbalanced bars');
  return out.join(' ');
}

/** LaTeX scalar -> mathjs expression string, or null when it cannot be converted safely. */
export function latexToMathjs(latex: string): string | null {
  try {
    const c = new Converter(0);
    c.run(latex);
    if (c.toks.length === 0) return null;
    return render(c.toks);
  } catch {
    return null;
  }
}
