// @softcot/rewards: answer extraction, math-answer equivalence (our Math-Verify), verifier reward.
export { extractAnswer, EXTRACT_MODES, type ExtractMode, type ExtractOptions, type ExtractRule, type Extraction } from './extract';
export { MARKER_RULES, isWellFormedAnswer, type MarkerRule } from './marker-rules';
export { stripDelimiters, findMathEnvs, type MathEnv } from './math-delimiters';
export { lastBoxedContent, lastBoxState, matchBrace, type LastBoxState } from './braces';
export { normalizeAnswer, type Normalized } from './normalize';
export { latexToMathjs } from './latex-to-mathjs';
export { parseValue, isParseableAnswer, type Value } from './answer-structure';
export { gradeAnswer, type GradeOptions, type GradeResult } from './grade-answer';
export { DEFAULT_TOLERANCE, type Tolerance } from './scalar-equivalence';
export { gradeCompletion, referenceAnswer, type GradeCompletionOptions, type CompletionGrade } from './grade-completion';
export { verifierReward, hasClosedMarker, type RewardFunction, type VerifierRewardOptions } from './verifier-reward';
