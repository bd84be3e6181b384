// Answer extraction from free model output. Rules are tried from most to least explicit; the
// last-number fallback is off by default because it turns any rambling text into an "answer"
// (and so into a 10-point "extracted but wrong" reward instead of 0).
import { lastBox } from './braces';

export type ExtractRule = 'boxed' | 'fbox' | 'gsm8k' | 'final-answer' | 'answer-tag' | 'last-number' | 'none';

export interface ExtractOptions {
  /** Use the last number in the text when no explicit answer marker is found (default false). */
  lastNumberFallback?: boolean;
  /** Restrict which marker rules are tried (default: all but last-number). */
  rules?: ReadonlyArray<Exclude<ExtractRule, 'none' | 'last-number'>>;
  /** Longest extracted answer kept (default 2000 chars); longer answers are cut, never parsed whole. */
  maxAnswerChars?: number;
}

export interface Extraction {
  answer: string | null;
  rule: ExtractRule;
}

const DEFAULT_MAX = 2000;

function cap(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) : s;
}

/** Strip surrounding math delimiters and a trailing period: `$5$.` -> `5`. */
export function stripDelimiters(s: string): string {
  let t = s.trim();
  for (let k = 0; k < 3; k++) {
    const before = t;
    t = t.replace(/[.。]+$/, '').trim();
    // markdown emphasis around the answer: **72**, *72*
    t = t.replace(/^\*+\s*|\s*\*+$/g, '').trim();
    if (t.startsWith('$$') && t.endsWith('$$') && t.length >= 4) t = t.slice(2, -2).trim();
    else if (t.startsWith('$') && t.endsWith('$') && t.length >= 2 && !t.slice(1, -1).includes('$')) t = t.slice(1, -1).trim();
    else if (t.startsWith('\\(') && t.endsWith('\\)')) t = t.slice(2, -2).trim();
    else if (t.startsWith('\\[') && t.endsWith('\\]')) t = t.slice(2, -2).trim();
    if (t === before) break;
  }
  return t;
}

function fromGsm8k(text: string): string | null {
  const i = text.lastIndexOf('####');
  if (i < 0) return null;
  let rest = text.slice(i + 4);
  const nl = rest.indexOf('\n');
  if (nl >= 0) rest = rest.slice(0, nl);
  const a = stripDelimiters(rest);
  return a === '' ? null : a;
}

function fromAnswerTag(text: string): string | null {
  const close = text.lastIndexOf('</answer>');
  if (close < 0) return null;
  const open = text.lastIndexOf('<answer>', close);
  if (open < 0) return null;
  const inner = text.slice(open + 8, close);
  const box = lastBox(inner);
  const a = box ? box.content : stripDelimiters(inner);
  return a === '' ? null : a;
}

// "The final answer is: X", "final answer: X", "Final Answer: The final answer is X. I hope it is correct."
const FINAL_RE = /final answer(?:\s+is)?\s*:?\s*/gi;

function fromFinalAnswer(text: string): string | null {
  let last = -1;
  FINAL_RE.lastIndex = 0;
  for (let m = FINAL_RE.exec(text); m; m = FINAL_RE.exec(text)) {
    last = m.index + m[0].length;
    if (m[0].length === 0) FINAL_RE.lastIndex++;
  }
  if (last < 0) return null;
  let rest = text.slice(last);
  const nl = rest.indexOf('\n');
  if (nl >= 0) rest = rest.slice(0, nl);
  const box = lastBox(rest);
  if (box) return box.content;
  // "X. I hope it is correct." -> X (a period followed by space ends the answer; decimals have no space)
  const sentence = /\.\s/.exec(rest);
  if (sentence) rest = rest.slice(0, sentence.index);
  const a = stripDelimiters(rest);
  return a === '' ? null : a;
}

// A number: optional sign, digits with optional thousands commas, optional decimals or a fraction.
const NUMBER_RE = /-?\d[\d,]*(?:\.\d+)?(?:\/\d+)?|-?\.\d+/g;

function fromLastNumber(text: string): string | null {
  let last: string | null = null;
  NUMBER_RE.lastIndex = 0;
  for (let m = NUMBER_RE.exec(text); m; m = NUMBER_RE.exec(text)) last = m[0];
  if (last === null) return null;
  return last.replace(/,+$/, '');
}

const ALL_RULES = ['boxed', 'fbox', 'answer-tag', 'gsm8k', 'final-answer'] as const;

/**
 * Extract the final answer from model output (or a reference solution). Order: last \boxed / \fbox
 * (whichever is last), <answer>…</answer>, GSM8K "#### n", "final answer is …", then (opt-in) the
 * last number. Never throws.
 */
export function extractAnswer(text: string, opts: ExtractOptions = {}): Extraction {
  try {
    if (typeof text !== 'string' || text.length === 0) return { answer: null, rule: 'none' };
    const max = opts.maxAnswerChars ?? DEFAULT_MAX;
    const rules = new Set<string>(opts.rules ?? ALL_RULES);
    if (rules.has('boxed') || rules.has('fbox')) {
      const box = lastBox(text);
      if (box && rules.has(box.command)) return { answer: cap(box.content, max), rule: box.command };
    }
    if (rules.has('answer-tag')) {
      const a = fromAnswerTag(text);
      if (a !== null) return { answer: cap(a, max), rule: 'answer-tag' };
    }
    if (rules.has('gsm8k')) {
      const a = fromGsm8k(text);
      if (a !== null) return { answer: cap(a, max), rule: 'gsm8k' };
    }
    if (rules.has('final-answer')) {
      const a = fromFinalAnswer(text);
      if (a !== null) return { answer: cap(a, max), rule: 'final-answer' };
    }
    if (opts.lastNumberFallback) {
      const a = fromLastNumber(text);
      if (a !== null) return { answer: a, rule: 'last-number' };
    }
    return { answer: null, rule: 'none' };
  } catch {
    return { answer: null, rule: 'none' };
  }
}
