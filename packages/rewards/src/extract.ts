// Answer extraction from model output, in one of three modes:
//   markers      the marker rules (marker-rules.ts): a closed \boxed{}, <answer>…</answer>, "#### n",
//                "The final answer is X". The RL default: it is the paper's protocol.
//   math-verify  the marker rules, then free text as Math-Verify reads it (free-text-extraction.ts).
//   answer       the text already is the answer (MATH's is_equiv style): only delimiters are removed.
// The last-number fallback of `markers` is off by default because it turns any rambling text into an
// "answer" (and so into a 10-point "extracted but wrong" reward instead of 0).
import { lastBoxState } from './braces';
import { matchFreeText, type FreeTextRule } from './free-text-extraction';
import { matchMarkers, MARKER_RULES, type MarkerRule } from './marker-rules';
import { stripDelimiters } from './math-delimiters';

export type ExtractMode = 'markers' | 'math-verify' | 'answer';

export const EXTRACT_MODES: readonly ExtractMode[] = ['markers', 'math-verify', 'answer'];

export type ExtractRule = MarkerRule | FreeTextRule | 'last-number' | 'whole-answer' | 'none';

export interface ExtractOptions {
  /** How the answer is found in the text (default 'markers'). */
  extract?: ExtractMode;
  /** `markers` only: use the last number in the text when no marker is found (default false). */
  lastNumberFallback?: boolean;
  /** Restrict which marker rules are tried (default: all). */
  rules?: ReadonlyArray<MarkerRule>;
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

// A number: optional sign, digits with optional thousands commas, optional decimals or a fraction.
const NUMBER_RE = /-?\d[\d,]*(?:\.\d+)?(?:\/\d+)?|-?\.\d+/g;

function fromLastNumber(text: string): string | null {
  let last: string | null = null;
  NUMBER_RE.lastIndex = 0;
  for (let m = NUMBER_RE.exec(text); m; m = NUMBER_RE.exec(text)) last = m[0];
  if (last === null) return null;
  return last.replace(/,+$/, '');
}

/** `answer` mode: the whole text, without math delimiters or a box wrapped around all of it. */
function wholeAnswer(text: string): string | null {
  let t = stripDelimiters(text);
  const last = lastBoxState(t);
  if (last.state === 'closed' && last.box.start === 0 && t.slice(last.box.end).trim() === '') t = last.box.content;
  t = stripDelimiters(t);
  return t === '' ? null : t;
}

/** Extract the final answer from model output (or a reference solution). Never throws. */
export function extractAnswer(text: string, opts: ExtractOptions = {}): Extraction {
  try {
    if (typeof text !== 'string' || text.length === 0) return { answer: null, rule: 'none' };
    const max = opts.maxAnswerChars ?? DEFAULT_MAX;
    const mode = opts.extract ?? 'markers';
    if (mode === 'answer') {
      const a = wholeAnswer(text);
      return a === null ? { answer: null, rule: 'none' } : { answer: cap(a, max), rule: 'whole-answer' };
    }
    const rules = new Set<MarkerRule>(opts.rules ?? MARKER_RULES);
    const m = mode === 'math-verify' ? matchFreeText(text, rules) : matchMarkers(text, rules);
    if (m) return { answer: cap(m.answer, max), rule: m.rule };
    // a dangling or empty last box is a cut-off answer: no fallback turns it into one
    const dangling = lastBoxState(text).state;
    if (mode === 'markers' && opts.lastNumberFallback && dangling !== 'unclosed' && dangling !== 'empty') {
      const a = fromLastNumber(text);
      if (a !== null) return { answer: a, rule: 'last-number' };
    }
    return { answer: null, rule: 'none' };
  } catch {
    return { answer: null, rule: 'none' };
  }
}
