// Model outputs built around an extracted answer, for grading the equivalence table in each
// extraction mode: `markers` outputs carry an explicit marker (box, tag, ####, "final answer is"),
// `math-verify` outputs carry none (a math environment after "the answer is" / "Therefore," /
// "Final answer:", a display formula, or a plain number), `answer` is the answer itself.
import type { ExtractMode } from '@softcot/rewards';

const MARKER_OUTPUTS: Array<(a: string) => string> = [
  (a) => `Adding the two parts gives the total.\nThe final answer is: \\boxed{${a}}`,
  (a) => `We simplify step by step, so the answer is $\\boxed{${a}}$.`,
  (a) => `<think>Check each case in turn.</think><answer>${a}</answer>`,
  (a) => `First compute the parts, then combine them.\n#### ${a}`,
  (a) => `Putting it together.\nFinal Answer: The final answer is $${a}$. I hope it is correct.`,
];

const FREE_TEXT_OUTPUTS: Array<(a: string) => string> = [
  (a) => `Collecting the terms, the answer is $${a}$.`,
  (a) => `Both cases agree. Therefore, \\(${a}\\).`,
  (a) => `Let me verify once more.\nFinal answer: $${a}$`,
  (a) => `After simplifying we get\n\\[ ${a} \\]`,
];

/** The model output standing for answer `a` in `mode`; `k` picks one of the phrasings. */
export function modelOutput(a: string, mode: ExtractMode, k: number): string {
  if (mode === 'answer') return a;
  if (mode === 'markers') return MARKER_OUTPUTS[k % MARKER_OUTPUTS.length]!(a);
  // a plain number can stand bare in the text; LaTeX needs delimiters to be found
  if (/^[-+]?\d[\d,]*(?:\.\d+)?$/.test(a) && k % 2 === 1) return `Counting again gives the same total, so the answer is ${a}.`;
  const out = FREE_TEXT_OUTPUTS[k % FREE_TEXT_OUTPUTS.length]!;
  // an unescaped $ (currency) cannot sit inside $…$
  return /(?<!\\)\$/.test(a) ? FREE_TEXT_OUTPUTS[3]!(a) : out(a);
}
