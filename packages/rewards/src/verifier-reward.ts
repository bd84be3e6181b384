// Verifier reward (method.md §4): 100 for a correct answer, 10 for a well-formed but wrong one, 0
// otherwise. The 10 format points need a syntactically closed marker with content: a `\boxed{…}`
// whose brace closes and is not empty (or `<answer>…</answer>`, `#### n`, or "The final answer is X"
// with X not junk, when those rules are enabled). An unclosed `\boxed{`, the prefilled-but-empty
// `\boxed{}`, or junk after "The final answer is" earn 0, whatever the extraction mode: the rollout
// prefills `\boxed{` after every CoT, so only closing the box shows the format was followed.
import { gradeCompletion, type GradeCompletionOptions } from './grade-completion';
import { matchMarkers, MARKER_RULES, type MarkerRule } from './marker-rules';

export type RewardFunction = (input: {
  /** The question as the dataset gives it. */
  prompt: string;
  /** The text the model was given: the question rendered by the prompt format (instruction, chat template). */
  promptText?: string;
  completion: string;
  reference: string;
  row?: unknown;
}) => number | null | Promise<number | null>;

export interface VerifierRewardOptions extends GradeCompletionOptions {
  /** Reward for a correct answer (default 100). */
  correct?: number;
  /** Reward for a closed marker with a wrong answer (default 10): format compliance is worth something. */
  boxedWrong?: number;
  /** Reward otherwise: nothing extracted, an unclosed or empty box (default 0). */
  none?: number;
}

/** Whether the completion carries a closed, non-empty answer marker (the 10-point format rule). */
export function hasClosedMarker(completion: string, rules: ReadonlyArray<MarkerRule> = MARKER_RULES): boolean {
  try {
    return typeof completion === 'string' && matchMarkers(completion, new Set(rules)) !== null;
  } catch {
    return false;
  }
}

/** A RewardFunction: 100 correct, 10 closed marker but wrong, 0 otherwise (all configurable). */
export function verifierReward(options: VerifierRewardOptions = {}): RewardFunction {
  const { correct = 100, boxedWrong = 10, none = 0, ...gradeOpts } = options;
  return ({ completion, reference }) => {
    const text = typeof completion === 'string' ? completion : '';
    const g = gradeCompletion(text, typeof reference === 'string' ? reference : '', gradeOpts);
    if (g.correct) return correct;
    return hasClosedMarker(text, gradeOpts.rules) ? boxedWrong : none;
  };
}
