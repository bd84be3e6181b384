// Extraction mode `math-verify`: find the answer in free text the way Math-Verify does when there is
// no marker (behaviour taken from its documentation and public tests, not its code). In order:
//   1. the marker rules, where several boxes written together (`\boxed{1}, \boxed{2}`) form one list;
//   2. "final answer … is X", then "answer: X" / "the answer is X";
//   3. the last LaTeX math environment (`$…$`, `$$…$$`, `\(…\)`, `\[…\]`) or plain number/expression, so
//      "Therefore, X." at the end is X. A lone variable (`for all $n$`) is passed over when something else
//      parses: a sentence that ends on a variable names it, it does not answer with it.
// Within 2 and 3 a candidate must parse as an answer; numbers inside a math environment that did not
// parse are never used on their own. Environments joined by `,` / and / or form one list answer.
import { closedBoxes, type Box } from './braces';
import { isParseableAnswer } from './answer-structure';
import { lastFinalAnswerPhrase, matchMarkers, type MarkerRule } from './marker-rules';
import { findMathEnvs, lastLineOfDerivation, type MathEnv } from './math-delimiters';

export type FreeTextRule = 'boxed-list' | 'final-answer-is' | 'answer-phrase' | 'last-math';

export interface FreeTextMatch {
  answer: string;
  rule: MarkerRule | FreeTextRule;
}

/** A possible answer in free text: its span and the answer string it stands for. */
interface Candidate {
  start: number;
  end: number;
  answer: string;
  /** From a math environment (kept whole) rather than a bare number or expression. */
  latex: boolean;
}

// Text between two answers that only joins them: punctuation, "and"/"or", spacing macros, \text{ and }.
const CONNECTIVE_GAP = /^(?:\s|,|;|\band\b|\bor\b|\\quad|\\qquad|\\[,;: ]|~|\\text\{\s*(?:,\s*)?(?:and|or)?\s*\})*$/i;
const HAS_DELIMITER = /\$|\\[()[\]]/;

function stripGapDelimiters(gap: string): string {
  return gap.replace(/\$+|\\[()[\]]/g, ' ');
}

/** Two answers separated by `gap` belong to one list: a bare connective, or nothing at all inside one environment. */
function joins(gap: string, sameEnv: boolean): boolean {
  if (gap.length > 80) return false;
  if (sameEnv) return !/\.\s/.test(gap);
  const bare = stripGapDelimiters(gap);
  if (bare.trim() === '') return !HAS_DELIMITER.test(gap);
  return CONNECTIVE_GAP.test(bare) && /,|;|\band\b|\bor\b/i.test(bare);
}

function insideOneEnv(envs: MathEnv[], start: number, end: number): boolean {
  return envs.some((e) => e.start <= start && end <= e.end);
}

/** The last closed box plus the boxes written together with it, in text order. */
function boxList(text: string, envs: MathEnv[]): { answer: string; count: number } | null {
  const boxes = closedBoxes(text); // last first
  if (boxes.length === 0) return null;
  const group: Box[] = [boxes[0]!];
  for (let k = 1; k < boxes.length; k++) {
    const earlier = boxes[k]!;
    const later = group[0]!;
    if (earlier.end > later.start) break; // nested box
    if (!joins(text.slice(earlier.end, later.start), insideOneEnv(envs, earlier.start, later.end))) break;
    group.unshift(earlier);
  }
  return { answer: group.map((b) => b.content).join(', '), count: group.length };
}

// Plain numbers: thousands groups (`1,234.5`, `1 234`), decimals with a point or a comma (`2,74`), `.5`,
// an optional currency sign before and a percent word after. Not preceded by a letter or digit, so
// `AZYUK2A` holds no number.
const NUMBER_RE = /(?<![\p{L}\d.,])[-+]?[$€£¥₹]?(?:[1-9]\d{0,2}(?:,\d{3})+(?!\d)(?:\.\d+)?|[1-9]\d{0,2}(?: \d{3})+(?![\d,.])|\d+(?:[.,]\d+)?|\.\d+)(?:\s*(?:%|percent(?:age)?|pct)(?![A-Za-z]))?/gu;
// Runs of arithmetic: digits, spaces, operators and parentheses (`2/3`, `(1/2) * (4/3)`, `4 4/9`).
const EXPR_CHAR = /[\d. \t+\-*/^()×÷]/;
// A bare LaTeX fraction of two numbers outside any math environment: \frac{10}{9}.
const BARE_FRAC_RE = /-?\\[dt]?frac\{-?\d+(?:\.\d+)?\}\{-?\d+(?:\.\d+)?\}/g;
const PERCENT_AFTER = /^\s*(?:\\?%|percent(?:age)?|pct)(?![A-Za-z])/;
const OPERATOR_BETWEEN = /[\d)]\s*[+\-*/^×÷]\s*[\d(.]/;

/** A number as an answer string: separators and currency removed, a decimal comma turned into a point. */
function numberAnswer(raw: string): string {
  let t = raw.trim();
  let percent = '';
  const p = /\s*(?:%|percent(?:age)?|pct)$/.exec(t);
  if (p) {
    percent = '\\%';
    t = t.slice(0, p.index);
  }
  t = t.replace(/[$€£¥₹]/g, '');
  if (/^[-+]?[1-9]\d{0,2}(?:[, ]\d{3})+(?:\.\d+)?$/.test(t)) t = t.replace(/[, ]/g, '');
  else t = t.replace(',', '.');
  return t + percent;
}

/** Trim a run of arithmetic to a well-formed expression: no dangling operators or unmatched parentheses. */
function trimExpression(run: string): string {
  let t = run.trim();
  for (let k = 0; k < 8; k++) {
    const before = t;
    t = t.replace(/[\s+\-*/^×÷(.]+$/, '').replace(/^[\s+*/^×÷).]+/, '');
    const open = (t.match(/\(/g) ?? []).length;
    const close = (t.match(/\)/g) ?? []).length;
    if (close > open && t.endsWith(')')) t = t.slice(0, -1);
    else if (open > close && t.startsWith('(')) t = t.slice(1);
    if (t === before) break;
  }
  return t;
}

/** Bare numbers and arithmetic expressions in text[from, to) (math environments are masked out). */
function plainCandidates(text: string, from: number, to: number): Candidate[] {
  const out: Candidate[] = [];
  const seg = text.slice(from, to);
  NUMBER_RE.lastIndex = 0;
  for (let m = NUMBER_RE.exec(seg); m; m = NUMBER_RE.exec(seg)) {
    out.push({ start: from + m.index, end: from + m.index + m[0].length, answer: numberAnswer(m[0]), latex: false });
  }
  // Expressions: maximal runs of EXPR_CHAR that hold an operator between operands.
  let i = 0;
  while (i < seg.length) {
    if (!EXPR_CHAR.test(seg[i]!)) {
      i++;
      continue;
    }
    let j = i;
    while (j < seg.length && EXPR_CHAR.test(seg[j]!)) j++;
    const run = seg.slice(i, j);
    const expr = trimExpression(run);
    const at = i + run.indexOf(expr);
    // An expression glued to a letter (`x^2+1`, `2x`) is algebra in prose, not a bare expression.
    const glued = (at > 0 && /[\p{L}_\\{]/u.test(seg[at - 1]!)) || /^[\p{L}_\\}]/u.test(seg.slice(at + expr.length, at + expr.length + 1));
    if (!glued && OPERATOR_BETWEEN.test(expr) && /^[-(]?\s*\d/.test(expr)) {
      const pct = PERCENT_AFTER.exec(seg.slice(at + expr.length, at + expr.length + 16));
      out.push({ start: from + at, end: from + at + expr.length + (pct ? pct[0].length : 0), answer: pct ? `${expr}\\%` : expr, latex: false });
    }
    i = j;
  }
  BARE_FRAC_RE.lastIndex = 0;
  for (let m = BARE_FRAC_RE.exec(seg); m; m = BARE_FRAC_RE.exec(seg)) {
    out.push({ start: from + m.index, end: from + m.index + m[0].length, answer: m[0], latex: true });
  }
  return out;
}

/** Math environments as candidates, a following `%` / "percent" folded in. */
function envCandidate(text: string, env: MathEnv): Candidate {
  const after = PERCENT_AFTER.exec(text.slice(env.end, env.end + 16));
  // sentence punctuation written inside the delimiters: $\frac{1}{3}.$, $\frac{1}{3},$
  const content = lastLineOfDerivation(env.content.trim()).trim().replace(/(?<![\\.])[\s,;:]*\.?[\s,;:]*$/, '');
  return {
    start: env.start,
    end: after ? env.end + after[0].length : env.end,
    answer: after ? `${content}\\%` : content,
    latex: true,
  };
}

/** All candidates in [from, to): environments whole, and bare numbers/expressions outside them. */
function candidatesIn(text: string, envs: MathEnv[], from: number, to: number): Candidate[] {
  const out: Candidate[] = [];
  let pos = from;
  for (const env of envs) {
    if (env.end <= from || env.start >= to) continue;
    if (env.start > pos) out.push(...plainCandidates(text, pos, env.start));
    if (env.start >= from && env.end <= to) out.push(envCandidate(text, env));
    pos = Math.max(pos, env.end);
  }
  if (pos < to) out.push(...plainCandidates(text, pos, to));
  return out;
}

/** Join a math-environment candidate with the environments written next to it (`$1$, $2$ and $3$`). */
function withJoined(text: string, sorted: Candidate[], k: number): string {
  const parts = [sorted[k]!.answer];
  let first = sorted[k]!;
  for (let j = k - 1; j >= 0 && parts.length < 20; j--) {
    const prev = sorted[j]!;
    if (!prev.latex || prev.end > first.start || !joins(text.slice(prev.end, first.start), false) || !isParseableAnswer(prev.answer)) break;
    parts.unshift(prev.answer);
    first = prev;
  }
  let last = sorted[k]!;
  for (let j = k + 1; j < sorted.length && parts.length < 20; j++) {
    const next = sorted[j]!;
    if (!next.latex || next.start < last.end || !joins(text.slice(last.end, next.start), false) || !isParseableAnswer(next.answer)) break;
    parts.push(next.answer);
    last = next;
  }
  return parts.join(', ');
}

/**
 * The candidate to use among `cands`: `pick` 'last' (the one ending last, longest first on ties) or
 * 'first' (the one starting first). Candidates that do not parse are skipped.
 */
function choose(text: string, cands: Candidate[], pick: 'first' | 'last'): string | null {
  const sorted = [...cands].sort((a, b) => a.start - b.start || b.end - a.end);
  const order = pick === 'first' ? sorted.map((_, k) => k) : sorted.map((_, k) => k).sort((x, y) => sorted[y]!.end - sorted[x]!.end || sorted[x]!.start - sorted[y]!.start);
  let tries = 0;
  let loneVariable: number | null = null;
  for (const k of order) {
    if (++tries > 50) break;
    const c = sorted[k]!;
    if (!isParseableAnswer(c.answer)) continue;
    if (pick === 'last' && LONE_VARIABLE.test(c.answer)) {
      loneVariable ??= k;
      continue;
    }
    return c.latex ? withJoined(text, sorted, k) : c.answer;
  }
  return loneVariable === null ? null : sorted[loneVariable]!.answer;
}

const LONE_VARIABLE = /^\s*(?:[A-Za-z]|\\(?!pi\b|infty\b)[A-Za-z]+)(?:_\{?\w+\}?)?\s*$/;

/** End of the sentence that starts at `from`: the first ". " / line break outside a math environment. */
function sentenceEnd(text: string, envAt: ReadonlyMap<number, MathEnv>, from: number, cap: number): number {
  const limit = Math.min(text.length, from + cap);
  let i = from;
  while (i < limit) {
    const env = envAt.get(i);
    if (env) {
      i = env.end;
      continue;
    }
    if (text[i] === '\n') return i;
    if (text[i] === '.' && (i + 1 >= text.length || /\s/.test(text[i + 1]!))) return i;
    i++;
  }
  return limit;
}

const ANSWER_RE = /\banswer\b/gi;
const TAIL = 4000;

function lastMatchEnd(re: RegExp, text: string): number {
  let last = -1;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) last = m.index + m[0].length;
  return last;
}

/** Extraction in `math-verify` mode. Never throws (callers wrap anyway). */
export function matchFreeText(text: string, rules: ReadonlySet<MarkerRule>): FreeTextMatch | null {
  const envs = findMathEnvs(text);
  const envAt = new Map(envs.map((e) => [e.start, e]));
  if (rules.has('boxed')) {
    const list = boxList(text, envs);
    if (list) return { answer: list.answer, rule: list.count > 1 ? 'boxed-list' : 'boxed' };
  }
  const marker = matchMarkers(text, new Set([...rules].filter((r) => r !== 'boxed' && r !== 'final-answer')), false);
  if (marker) return marker;

  // "final answer … is X": X starts right after the first " is" within 100 characters of the phrase.
  const fa = text.toLowerCase().lastIndexOf('final answer');
  if (fa >= 0) {
    const is = /\sis\b:?\s*/.exec(text.slice(fa + 12, fa + 112 + 5));
    const from = is ? fa + 12 + is.index + is[0].length : lastFinalAnswerPhrase(text);
    const end = sentenceEnd(text, envAt, from, 300);
    const first = candidatesIn(text, envs, from, end).filter((c) => c.start - from <= 2);
    const a = choose(text, first, 'first');
    if (a !== null) return { answer: a, rule: 'final-answer-is' };
  }
  // "answer: X", "the answer is X": the first candidate within 50 characters.
  const ans = lastMatchEnd(ANSWER_RE, text);
  if (ans >= 0) {
    const end = sentenceEnd(text, envAt, ans, 300);
    const near = candidatesIn(text, envs, ans, end).filter((c) => c.start - ans <= 50);
    const a = choose(text, near, 'first') ?? shortTextAnswer(text, ans, end);
    if (a !== null) return { answer: a, rule: 'answer-phrase' };
  }
  // The last candidate is almost always in the last few thousand characters: look there first.
  // (It starts at a space, so no number is cut in two.)
  const cut = text.length > TAIL ? text.slice(text.length - TAIL).search(/\s/) : -1;
  const tail = cut >= 0 ? choose(text, candidatesIn(text, envs, text.length - TAIL + cut, text.length), 'last') : null;
  if (tail !== null) return { answer: tail, rule: 'last-math' };
  const all = candidatesIn(text, envs, 0, text.length);
  const a = choose(text, all, 'last');
  if (a !== null) return { answer: a, rule: 'last-math' };
  // Nothing parses: the last math environment as written, for a string comparison (`\sum` answers).
  const lastEnv = all.filter((c) => c.latex).sort((x, y) => y.end - x.end)[0];
  return lastEnv && lastEnv.answer.length <= 500 ? { answer: lastEnv.answer, rule: 'last-math' } : null;
}

/** "The answer is B." / "answer: (C)" / "answer is Monday": a short word answer right after the phrase. */
function shortTextAnswer(text: string, from: number, end: number): string | null {
  const seg = text.slice(from, end).replace(/^\s*(?:is|was|:)?\s*:?\s*/i, '').replace(/\*+/g, '').trim();
  if (seg === '' || seg.length > 40 || seg.split(/\s+/).length > 3) return null;
  return /^[\p{L}\d() ]+$/u.test(seg) ? seg : null;
}
