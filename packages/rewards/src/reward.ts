// Verifier reward: extract the model's final answer and grade it against the reference.
import { extractAnswer, type ExtractOptions, type ExtractRule } from './extract';
import { gradeAnswer, type GradeOptions } from './grade';

export type RewardFunction = (input: {
  /** The question as the dataset gives it. */
  prompt: string;
  /** The text the model was given: the question rendered by the prompt format (instruction, chat template). */
  promptText?: string;
  completion: string;
  reference: string;
  row?: unknown;
}) => number | null | Promise<number | null>;

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

/** Extract an answer from a completion and grade it. Never throws. */
export function gradeCompletion(completion: string, gold: string, opts: GradeCompletionOptions = {}): CompletionGrade {
  const ex = extractAnswer(completion, opts);
  if (ex.answer === null) return { correct: false, extracted: null, rule: ex.rule, reason: 'no-answer-extracted' };
  let reference = gold;
  if (opts.goldIsSolution) {
    const g = extractAnswer(gold, { rules: ['boxed', 'fbox', 'gsm8k'] });
    if (g.answer === null) return { correct: false, extracted: ex.answer, rule: ex.rule, reason: 'no-answer-in-gold-solution' };
    reference = g.answer;
  }
  const r = gradeAnswer(ex.answer, reference, opts);
  return { correct: r.correct, extracted: ex.answer, rule: ex.rule, reason: r.reason };
}

export interface VerifierRewardOptions extends GradeCompletionOptions {
  /** Reward for a correct answer (default 100). */
  correct?: number;
  /** Reward for an extracted but wrong answer (default 10): format compliance is worth something. */
  boxedWrong?: number;
  /** Reward when no answer could be extracted (default 0). */
  none?: number;
}

/** A RewardFunction: 100 correct, 10 extracted-but-wrong, 0 nothing extracted (configurable). */
export function verifierReward(options: VerifierRewardOptions = {}): RewardFunction {
  const { correct = 100, boxedWrong = 10, none = 0, ...gradeOpts } = options;
  return ({ completion, reference }) => {
    const g = gradeCompletion(typeof completion === 'string' ? completion : '', typeof reference === 'string' ? reference : '', gradeOpts);
    if (g.extracted === null) return none;
    return g.correct ? correct : boxedWrong;
  };
}
