/**
 * How synthetic examples are written: the prompt format they use, how a solution ends in each style, the full
 * supervised text, and the fixed phrases a CharTokenizer should hold as single tokens.
 */
import { paperPrompt, r1Prompt, type PromptFormat } from '../prompts';
import type { Example } from '../types';

/** How the solution text ends: the paper format (`The final answer is: \boxed{N}`) or R1 (`</think><answer>N</answer>`). */
export type SolutionStyle = 'paper' | 'r1';

/** The prompt format synthetic tasks use by default: the given style with an empty instruction (short prompts). */
export function syntheticPromptFormat(style: SolutionStyle = 'paper'): PromptFormat {
  return style === 'r1' ? r1Prompt({ instruction: '' }) : paperPrompt({ instruction: '' });
}

/** Solution text after the CoT, in the given style. */
export function finishSolution(cot: string, answer: string, style: SolutionStyle = 'paper'): string {
  return style === 'r1' ? `${cot}</think><answer>${answer}</answer>` : `${cot} The final answer is: \\boxed{${answer}}`;
}

/**
 * The full supervised text of an example: the rendered prompt, a space, then the solution, e.g.
 * `User: 7+5 Assistant: 7+5=12. The final answer is: \boxed{12}`.
 */
export function sftText(example: Example, format: PromptFormat = syntheticPromptFormat()): string {
  if (example.solution === undefined) throw new Error(`sftText: example ${example.id} has no solution`);
  return `${format.render(example.question)} ${example.solution}`;
}

/**
 * Multi-character tokens for a CharTokenizer (`pieces`): the fixed phrases of a prompt format (the prompt wrapper,
 * the CoT stop string, the prefill after a stop). Each is then one token, so the model emits the stop string in one
 * CoT step instead of ~20 (one action, one noise vector, instead of ~20 that carry no information). The prefill after
 * the maximum length is left out: it contains the stop string, which must stay a token boundary of its own.
 */
export function syntheticPieces(format: PromptFormat = syntheticPromptFormat()): string[] {
  const marker = '\u0000';
  const phrases = [...format.render(marker).split(marker), format.cotStop, format.prefillAfterStop];
  return [...new Set(phrases.filter((p) => Array.from(p).length >= 2))];
}
