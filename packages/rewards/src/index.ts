// @softcot/rewards: answer extraction, math-answer equivalence (our Math-Verify), verifier reward.
export { extractAnswer, stripDelimiters, type ExtractOptions, type ExtractRule, type Extraction } from './extract';
export { lastBoxedContent, matchBrace } from './braces';
export { normalizeAnswer, type Normalized } from './normalize';
export { latexToMathjs } from './to-mathjs';
export { parseValue, type Value } from './structure';
export { gradeAnswer, type GradeOptions, type GradeResult } from './grade';
export { DEFAULT_TOLERANCE, type Tolerance } from './compare';
export {
  verifierReward,
  gradeCompletion,
  type RewardFunction,
  type VerifierRewardOptions,
  type GradeCompletionOptions,
  type CompletionGrade,
} from './reward';
export { runGradeCommand, type CommandIO } from './grade-command';
