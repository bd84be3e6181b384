// gradeCompletion: extract the answer from a completion (extract.ts) and grade it against the
// reference (grade-answer.ts). In `math-verify` mode a reference that carries its own delimiters or
// markers (`$9$`, `\boxed{…}`, a worked solution) is extracted the same way, as Math-Verify parses
// both sides; a bare reference (`\frac{1}{2}`, `(3, -1)`) is used whole.
import { extractAnswer, type ExtractOptions, type ExtractRule } from './extract';
import { gradeAnswer, type GradeOptions } from './grade-answer';
import { matchMarkers } from './marker-rules';

export interface GradeCompletionOptions extends GradeOptions, ExtractOptions {
  /** The gold string is a whole reference solution: take its last box or `#### n` first. */
  goldIsSolution?: boolean;
}

export interface CompletionGrade {
  correct: boolean;
  extracted: string | null;
  rule: ExtractRule;
  reason: string;
}

const MARKED_REFERENCE = /\$|\\[([]|\\(?:boxed|fbox)(?![A-Za-z])|####|<answer>/;

/** The reference answer to grade against, or null when a reference solution holds none. */
export function referenceAnswer(gold: string, opts: GradeCompletionOptions = {}): string | null {
  // a reference solution is never truncated: an unbalanced last box is a typo, the previous box counts
  if (opts.goldIsSolution) return matchMarkers(gold, new Set(['boxed', 'fbox', 'gsm8k']), false)?.answer ?? null;
  if (opts.extract === 'math-verify' && MARKED_REFERENCE.test(gold)) return extractAnswer(gold, { extract: 'math-verify' }).answer ?? gold;
  return gold;
}

/** Extract an answer from a completion and grade it. Never throws. */
export function gradeCompletion(completion: string, gold: string, opts: GradeCompletionOptions = {}): CompletionGrade {
  const ex = extractAnswer(completion, opts);
  if (ex.answer === null) return { correct: false, extracted: null, rule: ex.rule, reason: 'no-answer-extracted' };
  const reference = typeof gold === 'string' ? referenceAnswer(gold, opts) : null;
  if (reference === null) return { correct: false, extracted: ex.answer, rule: ex.rule, reason: opts.goldIsSolution ? 'no-answer-in-gold-solution' : 'no-reference' };
  const r = gradeAnswer(ex.answer, reference, opts);
  return { correct: r.correct, extracted: ex.answer, rule: ex.rule, reason: r.reason };
}
