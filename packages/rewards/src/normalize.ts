// String-level normalisation of an extracted answer, before any structure or mathjs parsing:
// remove presentation-only LaTeX (spacing, \left/\right, \text wrappers, units, currency, degrees)
// and canonicalise number formatting, so that most equal answers become equal strings and the
// expensive symbolic path is rarely needed.
import { matchBrace } from './braces';
import { stripDelimiters } from './math-delimiters';

export interface Normalized {
  /** Normalised LaTeX-ish string. */
  text: string;
  /** The answer carried a percent sign (`50\%`, `50%`, `50 percent`). */
  percent: boolean;
  /** A top-level `1,000`-style group was joined into one number (the grader may retry without). */
  joinedThousands: boolean;
}

export interface NormalizeOptions {
  /** Join top-level `1,000,000` comma groups into numbers (default true). */
  joinThousands?: boolean;
}

// Unit and currency words removed when they only decorate a value (`5 \text{ cm}`, `12 dollars`).
const UNIT_WORDS = [
  'units?', 'square', 'sq', 'cubic', 'dollars?', 'cents?', 'usd', 'euros?', 'pounds?', 'lbs?', 'ounces?', 'oz',
  'cm', 'centimet(?:er|re)s?', 'mm', 'millimet(?:er|re)s?', 'km', 'kilomet(?:er|re)s?', 'met(?:er|re)s?', 'm',
  'inch(?:es)?', 'in', 'feet', 'foot', 'ft', 'yards?', 'yd', 'miles?', 'mi', 'mph', 'kph',
  'hours?', 'hrs?', 'h', 'minutes?', 'mins?', 'seconds?', 'secs?', 's', 'days?', 'weeks?', 'months?', 'years?',
  'degrees?', 'deg', 'radians?', 'rad', 'grams?', 'g', 'kg', 'kilograms?', 'mg', 'tons?',
  'lit(?:er|re)s?', 'l', 'ml', 'gallons?', 'gal', 'quarts?', 'pints?', 'cups?', 'per', 'each', 'total',
  'points?', 'people', 'persons?', 'students?', 'times', 'ways', 'cm\\^?[23]', 'm\\^?[23]', 'sq\\.',
  'yuan', 'rmb', 'rupees?', 'pesos?', 'yen',
];
const UNIT_PHRASE_RE = new RegExp(`^(?:(?:${UNIT_WORDS.join('|')})\\b\\.?\\s*(?:\\^\\s*\\{?[23]\\}?)?\\s*)+$`, 'i');

/** True when `s` is only unit/currency words (e.g. " cm", "square units", "dollars"). */
export function isUnitPhrase(s: string): boolean {
  const t = s.trim();
  return t !== '' && t.length < 60 && UNIT_PHRASE_RE.test(t);
}

const TEXT_COMMANDS = ['text', 'textnormal', 'textup', 'emph', 'textbf', 'textit', 'textrm', 'textsf', 'texttt', 'mbox', 'mathrm', 'mathbf', 'mathit', 'mathsf', 'mathtt', 'mathnormal', 'rm', 'bf', 'hbox', 'operatorname', 'boldsymbol', 'mathbb'];
const TEXT_CMD_RE = new RegExp(`\\\\(${TEXT_COMMANDS.join('|')})(?![A-Za-z])\\s*`, 'g');

/** Replace `\text{…}`-like wrappers by their content; unit-only contents are dropped. Linear. */
function unwrapText(s: string, dropUnits = true): string {
  let out = '';
  let pos = 0;
  TEXT_CMD_RE.lastIndex = 0;
  for (let m = TEXT_CMD_RE.exec(s); m; m = TEXT_CMD_RE.exec(s)) {
    if (m.index < pos) continue;
    const start = m.index + m[0].length;
    out += s.slice(pos, m.index);
    if (s[start] === '{') {
      const close = matchBrace(s, start);
      if (close < 0) {
        pos = start; // unbalanced: drop just the command name
        continue;
      }
      const inner = s.slice(start + 1, close);
      pos = close + 1;
      if (dropUnits && isUnitPhrase(inner)) {
        out += ' ';
        // \text{ cm}^2: the exponent belongs to the unit
        const exp = /^\s*\^\s*(?:\{\s*[23]\s*\}|[23])/.exec(s.slice(pos, pos + 16));
        if (exp) pos += exp[0].length;
      } else {
        out += ` ${inner} `;
      }
      TEXT_CMD_RE.lastIndex = pos;
    } else {
      pos = start;
    }
  }
  return out + s.slice(pos);
}

const memo = new Map<string, Normalized>();

/** Normalise an extracted answer string (never throws; input is already capped by the caller). Memoised. */
export function normalizeAnswer(raw: string, opts: NormalizeOptions = {}): Normalized {
  const key = (opts.joinThousands ?? true) ? raw : `\u0000${raw}`;
  const hit = memo.get(key);
  if (hit) return hit;
  const res = normalizeUncached(raw, opts);
  if (memo.size > 5000) memo.clear(); // bounded: datasets repeat many answers
  memo.set(key, res);
  return res;
}

function normalizeUncached(raw: string, opts: NormalizeOptions): Normalized {
  let s = stripDelimiters(raw);
  let percent = false;
  let joinedThousands = false;

  // `\\frac` written with an escaped backslash (JSON or Python strings copied twice) is `\frac`.
  s = s.replace(/\\\\(?=(?:d?frac|tfrac|sqrt|text|mathrm|pi|cdot|times|infty|left|right|le|ge|leq|geq|neq|sin|cos|tan|ln|log|boxed)(?![A-Za-z]))/g, '\\');
  // The reals.
  s = s.replace(/\\mathbb\s*\{\s*R\s*\}|ℝ/g, '(-\\infty,\\infty)');
  // Presentation-only macros.
  s = s.replace(/\\(?:displaystyle|textstyle|scriptstyle|limits|nolimits)(?![A-Za-z])/g, '');
  s = s.replace(/\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|Biggl|Biggr|big|Big|bigg|Bigg)(?![A-Za-z])\s*\.?/g, '');
  // Thousands separators: 1{,}000  1\,000  1,\!000  (before the spacing macros disappear).
  s = s.replace(/(\d)\s*\{\s*,\s*\}\s*(?=\d{3})/g, '$1');
  s = s.replace(/(\d),?\\[,!]\s*(?=\d{3}(?!\d))/g, '$1');
  // Thousands commas in plain numbers: 1,000,000 -> 1000000 (only groups of exactly three digits).
  // Done before degrees/units vanish, so `45^\circ,135^\circ` stays a list.
  // Inside brackets `(100,102)` is a tuple, not 100102, so only top-level numbers are joined.
  if (opts.joinThousands ?? true) {
    s = s.replace(/(^|[^\d.,])(\d{1,3}(?:,\d{3})+)(?!\d)(?!,\d)/g, (m, pre: string, num: string, offset: number) => {
      if (bracketDepth(s, offset + pre.length) !== 0) return m;
      joinedThousands = true;
      return pre + num.replace(/,/g, '');
    });
  }
  // `\text{M}` alone is an answer (a choice, a letter), not a unit: keep it when nothing else is left.
  const unwrapped = unwrapText(s);
  s = unwrapped.trim() === '' ? unwrapText(s, false) : unwrapped;
  // Degrees: ^\circ, ^{\circ}, \circ, °, \degree.
  s = s.replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|°|\\degree(?![A-Za-z])/g, '');
  // Percent.
  if (/\\%|%|\b(?:percent(?:age)?|pct)\b/.test(s)) {
    percent = true;
    s = s.replace(/\\%|%|\b(?:percent(?:age)?|pct)\b/g, '');
  }
  // Currency.
  s = s.replace(/\\\$|\$|\\(?:dollar|euro|pounds)(?![A-Za-z])|€|£/g, '');
  // Spacing macros and non-breaking spaces.
  s = s.replace(/\\(?:quad|qquad|enspace|thinspace|medspace|thickspace|negthinspace)(?![A-Za-z])|(?<!\\)\\[,;:! ]|~/g, ' ');
  // Repeating decimals 0.\overline{3} -> \frac{1}{3} (exact, so they can equal a fraction).
  s = s.replace(/(\d*)\.(\d*)\\overline\s*\{(\d{1,8})\}/g, (m, i: string, n: string, r: string) => repeatingToFrac(i, n, r) ?? m);
  s = s.replace(/\\(?:dfrac|tfrac|cfrac)(?![A-Za-z])/g, '\\frac').replace(/\\dbinom|\\tbinom/g, '\\binom');
  s = s.replace(/\\(?:le|leqslant)(?![A-Za-z])/g, '\\leq').replace(/\\(?:ge|geqslant)(?![A-Za-z])/g, '\\geq');
  s = s.replace(/\\ne(?![A-Za-z])/g, '\\neq').replace(/\\lt(?![A-Za-z])/g, '<').replace(/\\gt(?![A-Za-z])/g, '>');
  s = s.replace(/\\(?:emptyset|varnothing)(?![A-Za-z])|∅/g, '\\{\\}');
  s = s.replace(/√/g, '\\sqrt ');
  s = s.replace(/(?<![\d)!])!=/g, '\\neq').replace(/÷/g, '\\div ').replace(/²/g, '^2').replace(/³/g, '^3');
  s = s.replace(/(^|[\s(\[,])\+\s*\\infty/g, '$1\\infty');
  s = s.replace(/≤/g, '\\leq').replace(/≥/g, '\\geq').replace(/−/g, '-').replace(/×/g, '\\times').replace(/·/g, '\\cdot').replace(/π/g, '\\pi').replace(/∞/g, '\\infty');
  s = s.replace(/\s+/g, ' ').trim();
  // Trailing units outside \text: "5 cm", "12 dollars", "18 apples" after a plain number.
  s = stripTrailingWords(s);
  // An ellipsis is part of the answer (1, 2, 3, … is not 1, 2, 3), not sentence punctuation.
  s = s.replace(/\\(?:ldots|dots|cdots|dotsc|dotsb)(?![A-Za-z])|…|\.{3,}/g, '\\dots');
  s = s.replace(/[.]+$/, '').trim();
  // A list written in plain braces, {1, 2, 3}, is a set.
  if (/^\{[^{}]*,[^{}]*\}$/.test(s)) s = `\\{${s.slice(1, -1)}\\}`;
  // A multiple-choice letter in parentheses: (B) -> B.
  s = s.replace(/^\(\s*([A-Z])\s*\)$/, '$1');
  // Leading zero and trailing zeros of decimals: .5 -> 0.5, 2.50 -> 2.5, 3.0 -> 3.
  s = s.replace(/(^|[^\d.])\.(\d)/g, '$10.$2');
  s = s.replace(/(\d+)\.(\d*?)0+(?!\d)/g, (_m, a: string, b: string) => (b === '' ? a : `${a}.${b}`));
  return { text: s, percent, joinedThousands };
}

/**
 * Drop a tail of words after a value: any words after a plain number ("18 apples"), or known unit
 * words after an expression ("2\\sqrt{3} cm"). Works on space-separated tokens (no backtracking regex).
 */
function stripTrailingWords(s: string): string {
  const toks = s.split(' ');
  let k = toks.length;
  while (k > 1 && /^[A-Za-z]+\.?(?:\^\{?[23]\}?)?$/.test(toks[k - 1]!)) k--;
  if (k === toks.length) return s;
  const head = toks.slice(0, k).join(' ').trim();
  const tail = toks.slice(k).join(' ');
  if (head === '' || /[\\_^]$/.test(head)) return s;
  if (/^[-+]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(head) && /[A-Za-z]{2,}/.test(tail)) return head;
  if (isUnitPhrase(tail)) return head;
  return s;
}

/**
 * Nesting depth in tuple/interval/set brackets ( [ \{ at `end`; plain { } are LaTeX grouping
 * (`\frac{12}{5,525}`) and do not count. Bounded: answers are capped at 2,000 chars.
 */
function bracketDepth(s: string, end: number): number {
  let d = 0;
  for (let i = 0; i < end; i++) {
    const c = s[i];
    if (c === '\\') {
      if (s[i + 1] === '{') d++;
      else if (s[i + 1] === '}') d--;
      i++;
    } else if (c === '(' || c === '[') d++;
    else if (c === ')' || c === ']') d--;
  }
  return d;
}

/** I.N(R)-repeating as a LaTeX fraction: (INR - IN) / (10^|N| * (10^|R| - 1)). */
function repeatingToFrac(i: string, n: string, r: string): string | null {
  if (i.length + n.length + r.length > 15) return null;
  const inr = Number(`${i}${n}${r}` || '0');
  const inn = Number(`${i}${n}` || '0');
  const den = 10 ** n.length * (10 ** r.length - 1);
  return `\\frac{${inr - inn}}{${den}}`;
}
