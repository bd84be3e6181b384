// The marker rules (extraction mode `markers`, the RL default and the paper's protocol): an answer
// counts only when the model wrote it behind an explicit marker — a closed `\boxed{…}`, an
// `<answer>…</answer>` tag, GSM8K's `#### n`, or "The final answer is X". A marker that was opened
// but never properly finished (an unclosed or empty box, junk after "The final answer is") yields
// no answer, so it earns no format reward either.
import { bracesBalanced, closedBoxes, lastBoxState, type Box } from './braces';
import { stripDelimiters } from './math-delimiters';

export type MarkerRule = 'boxed' | 'fbox' | 'answer-tag' | 'gsm8k' | 'final-answer';

export const MARKER_RULES: readonly MarkerRule[] = ['boxed', 'fbox', 'answer-tag', 'gsm8k', 'final-answer'];

export interface MarkerMatch {
  answer: string;
  rule: MarkerRule;
}

/**
 * A marker's content is an answer when it is not junk: something alphanumeric is left after the
 * delimiters, braces balance, and it is not itself a box opener (`The final answer is \boxed{{{{`).
 */
export function isWellFormedAnswer(s: string): boolean {
  const t = stripDelimiters(s);
  return t !== '' && /[\p{L}\p{N}]/u.test(t) && bracesBalanced(t) && !/\\(?:boxed|fbox)(?![A-Za-z])/.test(t);
}

function fromGsm8k(text: string): string | null {
  const i = text.lastIndexOf('####');
  if (i < 0) return null;
  let rest = text.slice(i + 4);
  const nl = rest.indexOf('\n');
  if (nl >= 0) rest = rest.slice(0, nl);
  const a = stripDelimiters(rest);
  return isWellFormedAnswer(a) ? a : null;
}

/** Content of a segment that may hold a box: the box when closed, nothing when a box is left open. */
function boxedOrPlain(segment: string): string | null {
  const last = lastBoxState(segment);
  if (last.state === 'closed') return last.box.content;
  if (last.state !== 'none') return null;
  const a = stripDelimiters(segment);
  return isWellFormedAnswer(a) ? a : null;
}

function fromAnswerTag(text: string): string | null {
  const close = text.lastIndexOf('</answer>');
  if (close < 0) return null;
  const open = text.lastIndexOf('<answer>', close);
  if (open < 0) return null;
  return boxedOrPlain(text.slice(open + 8, close));
}

// "The final answer is: X", "final answer: X", "Final Answer: The final answer is X. I hope it is correct."
const FINAL_RE = /final answer(?:\s+is)?\s*:?\s*/gi;

/** Index just past the last "final answer is:" phrase, or -1. */
export function lastFinalAnswerPhrase(text: string): number {
  let last = -1;
  FINAL_RE.lastIndex = 0;
  for (let m = FINAL_RE.exec(text); m; m = FINAL_RE.exec(text)) last = m.index + m[0].length;
  return last;
}

function fromFinalAnswer(text: string): string | null {
  const at = lastFinalAnswerPhrase(text);
  if (at < 0) return null;
  let rest = text.slice(at);
  const nl = rest.indexOf('\n');
  if (nl >= 0) rest = rest.slice(0, nl);
  if (lastBoxState(rest).state !== 'none') return boxedOrPlain(rest);
  // "X. I hope it is correct." -> X (a period followed by space ends the answer; decimals have no space)
  const sentence = /\.\s/.exec(rest);
  if (sentence) rest = rest.slice(0, sentence.index);
  return boxedOrPlain(rest);
}

/**
 * Apply the marker rules in order: the last box (which must be closed and non-empty: a dangling
 * `\boxed{` or `\boxed{}` means the answer was cut off, and nothing else is looked at), then
 * `<answer>…</answer>`, `#### n`, "final answer is X". `lastBoxOnly` false lets an unclosed last box
 * fall back to the previous complete one (Math-Verify style, for free-text grading).
 */
export function matchMarkers(text: string, rules: ReadonlySet<MarkerRule>, lastBoxOnly = true): MarkerMatch | null {
  if (rules.has('boxed') || rules.has('fbox')) {
    let box: Box | null = null;
    if (lastBoxOnly) {
      const last = lastBoxState(text);
      if (last.state === 'unclosed' || last.state === 'empty') return null;
      if (last.state === 'closed') box = last.box;
    } else {
      box = closedBoxes(text)[0] ?? null;
    }
    if (box && rules.has(box.command)) return { answer: box.content, rule: box.command };
  }
  if (rules.has('answer-tag')) {
    const a = fromAnswerTag(text);
    if (a !== null) return { answer: a, rule: 'answer-tag' };
  }
  if (rules.has('gsm8k')) {
    const a = fromGsm8k(text);
    if (a !== null) return { answer: a, rule: 'gsm8k' };
  }
  if (rules.has('final-answer')) {
    const a = fromFinalAnswer(text);
    if (a !== null) return { answer: a, rule: 'final-answer' };
  }
  return null;
}
