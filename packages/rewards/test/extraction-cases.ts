// Extraction-specific cases: whole model outputs (completion, gold, expected) per extraction mode,
// for what the equivalence table cannot show — which part of a text is the answer.
import type { ExtractMode } from '@softcot/rewards';

export interface ExtractionCase {
  mode: ExtractMode;
  completion: string;
  gold: string;
  equal: boolean;
  /** The answer extraction must find (null: none). */
  extracted?: string | null;
}

export const EXTRACTION_CASES: ExtractionCase[] = [
  // markers: only a closed marker counts
  { mode: 'markers', completion: 'The final answer is: \\boxed{{{{', gold: '4', equal: false, extracted: null },
  { mode: 'markers', completion: '3+1=4. The final answer is: \\boxed{', gold: '4', equal: false, extracted: null },
  { mode: 'markers', completion: '3+1=4. The final answer is: \\boxed{}', gold: '4', equal: false, extracted: null },
  { mode: 'markers', completion: 'First \\boxed{4}, then The final answer is: \\boxed{\\frac{1}{2}', gold: '4', equal: false, extracted: null },
  { mode: 'markers', completion: '3+1=4. The final answer is: \\boxed{4}', gold: '4', equal: true, extracted: '4' },
  { mode: 'markers', completion: 'so 3+1=4.\n#### 4', gold: '4', equal: true, extracted: '4' },
  { mode: 'markers', completion: '<think>3+1</think><answer>4</answer>', gold: '4', equal: true, extracted: '4' },
  { mode: 'markers', completion: 'The final answer is $18$. I hope it is correct.', gold: '18', equal: true, extracted: '18' },
  { mode: 'markers', completion: 'The final answer is **$18$**.', gold: '18', equal: true, extracted: '18' },
  { mode: 'markers', completion: 'The final answer is: {{', gold: '18', equal: false, extracted: null },
  { mode: 'markers', completion: 'The answer is 18.', gold: '18', equal: false, extracted: null },
  { mode: 'markers', completion: '$\\boxed{1}\\boxed{2}$', gold: '1, 2', equal: false, extracted: '2' },
  { mode: 'markers', completion: 'x = \\boxed{\\dfrac{3}{56}}', gold: '\\frac{3}{56}', equal: true, extracted: '\\dfrac{3}{56}' },
  // math-verify: the markers first, then free text
  { mode: 'math-verify', completion: '$\\boxed{1}\\boxed{2}$', gold: '1, 2', equal: true, extracted: '1, 2' },
  { mode: 'math-verify', completion: '\\boxed{1} and \\boxed{2} and \\boxed{3}', gold: '\\{1,2,3\\}', equal: true, extracted: '1, 2, 3' },
  { mode: 'math-verify', completion: '\\boxed{1},\\boxed{2},\\boxed{3}', gold: '{1,2,3}', equal: true },
  { mode: 'math-verify', completion: '$$\\boxed{20}$$ \\boxed{143}', gold: '143', equal: true, extracted: '143' },
  { mode: 'math-verify', completion: '$$\\boxed{(2, 2)} \\quad \\text{and} \\quad \\boxed{(6, 2)}$$', gold: '(2, 2), (6, 2)', equal: true },
  { mode: 'math-verify', completion: 'The roots are \\(\\boxed{1}\\) and \\(\\boxed{-2}\\).', gold: '-2, 1', equal: true },
  { mode: 'math-verify', completion: 'The answer is 4 4/9.', gold: '\\frac{40}{9}', equal: true, extracted: '4 4/9' },
  { mode: 'math-verify', completion: 'The answer is 4 4/9.', gold: '4', equal: false },
  { mode: 'math-verify', completion: 'There are 4 objects and 4/9 remain.', gold: '4/9', equal: true, extracted: '4/9' },
  { mode: 'math-verify', completion: 'The answer is 18.', gold: '18', equal: true, extracted: '18' },
  { mode: 'math-verify', completion: 'The answer is 19.', gold: '18', equal: false },
  { mode: 'math-verify', completion: 'Soucis : 2,74 $ a..', gold: '2.74', equal: true, extracted: '2.74' },
  { mode: 'math-verify', completion: 'the number is not 10 which is 1,000.99€', gold: '1000.99', equal: true, extracted: '1000.99' },
  { mode: 'math-verify', completion: 'so the number is 10 which is 1,000.99m²', gold: '1000.99', equal: true },
  { mode: 'math-verify', completion: 'AZYUK2A', gold: '2', equal: false, extracted: null },
  { mode: 'math-verify', completion: 'Answer $ \\frac{1}{2} \\$ = \\frac{10}{9} $', gold: '10/9', equal: true },
  { mode: 'math-verify', completion: 'Answer \\( (9+1) \\)', gold: '10', equal: true },
  { mode: 'math-verify', completion: 'The answer is $\\frac{1}{3}.$', gold: '\\frac13', equal: true, extracted: '\\frac{1}{3}' },
  { mode: 'math-verify', completion: 'So it is $\\frac{1}{3},$', gold: '\\frac13', equal: true },
  { mode: 'math-verify', completion: 'So it is $2^{10}.$', gold: '2', equal: false },
  { mode: 'math-verify', completion: 'The answer is $1/3.$', gold: '1', equal: false },
  { mode: 'math-verify', completion: 'It is $1, 2, 3, ...$', gold: '1, 2, 3', equal: false },
  { mode: 'math-verify', completion: '$\\sum_{k=0}^n\\bigl(k\\bigr)$ and $42$', gold: '42', equal: true, extracted: '42' },
  { mode: 'math-verify', completion: '$42$ and $\\sum_{k=0}^n\\bigl(k\\bigr)$', gold: '42', equal: true, extracted: '42' },
  { mode: 'math-verify', completion: 'Final answer is $\\sum_{k=0}^n\\bigl(k\\bigr)$. I hope. 42', gold: '42', equal: true },
  { mode: 'math-verify', completion: 'Final Answer: The largest $n$ is 34.', gold: '34', equal: true, extracted: '34' },
  { mode: 'math-verify', completion: 'Final Answer: The maximum number of points in the domain of $f(x)$ is 19. <|im_start|>user', gold: '19', equal: true, extracted: '19' },
  { mode: 'math-verify', completion: 'Final Answer: The final answer is $28 \\%$. I hope it is correct. Note: $100 \\% - 72 \\%=28 \\%$.', gold: '28', equal: true },
  { mode: 'math-verify', completion: 'Therefore, the minimum error in the measurement of the position increases by 100%.', gold: '100\\%', equal: true },
  { mode: 'math-verify', completion: 'The loss is $28$ percent', gold: '28\\%', equal: true },
  { mode: 'math-verify', completion: 'The answers are $1$, $2$ and $3$', gold: '3, 2, 1', equal: true, extracted: '1, 2, 3' },
  { mode: 'math-verify', completion: 'We find that $x \\lt 3$.', gold: 'x < 3', equal: true },
  { mode: 'math-verify', completion: 'Therefore $x \\geq 5$ is the solution.', gold: 'x >= 5', equal: true },
  { mode: 'math-verify', completion: 'Therefore $x < 5$ is the solution.', gold: 'x > 5', equal: false },
  { mode: 'math-verify', completion: 'P(A) = (1/2) * (4/3) P(A) = 2/3. Therefore, the probability that Alice wins is 2/3. <|im_start|>user', gold: '2/3', equal: true },
  { mode: 'math-verify', completion: 'The final answer is 12,000,023. I hope it is correct.', gold: '12000023', equal: true, extracted: '12000023' },
  { mode: 'math-verify', completion: 'So, Anna pays approximately $7.78 for her fudge. Final Answer: The final answer is 7.78.', gold: '7.78', equal: true },
  { mode: 'math-verify', completion: 'the ordered pair $(x, y)$ that solves the system is $(7, 6)$. <|im_start|>user', gold: '(7,6)', equal: true },
  { mode: 'math-verify', completion: 'the domain is $(0, 1)$. Final Answer: The final answer is $(0, 1)$. I hope it is correct.', gold: '[0,1)', equal: false },
  { mode: 'math-verify', completion: '11\n5/6', gold: '\\frac{71}{6}', equal: false },
  { mode: 'math-verify', completion: 'The identity matrix is $ \\begin{pmatrix}1 & 0 \\\\ 0 & 1\\end{pmatrix} $.', gold: '\\begin{pmatrix}1 & 0 \\\\ 0 & 1\\end{pmatrix}', equal: true },
  { mode: 'math-verify', completion: 'The answer is B.', gold: '\\text{(B)}', equal: true, extracted: 'B' },
  { mode: 'math-verify', completion: 'The answer is (C).', gold: '\\text{(B)}', equal: false },
  { mode: 'math-verify', completion: 'I cannot decide.', gold: '7', equal: false, extracted: null },
  // math-verify: a reference written with delimiters or a box is read the same way
  { mode: 'math-verify', completion: 'Answer \\[ 9 \\]', gold: '$9$', equal: true },
  { mode: 'math-verify', completion: '$\\boxed{-5, \\frac{14}{3}}$', gold: '\\boxed{x = -5,\\ p = \\frac{14}{3}} ', equal: true },
  { mode: 'math-verify', completion: '$\\boxed{-2,1}$.', gold: '\\(\\boxed{1}\\) and \\(\\boxed{-2}\\).', equal: true },
  { mode: 'math-verify', completion: '$\\boxed{1,2,3}$', gold: '$1$ and $2$ and $3$', equal: true },
  { mode: 'math-verify', completion: '$x \\in [-2,7]$', gold: 'Thus, the solution in interval notation is:\n\n\\[ \\boxed{[-2, 7]} \\]', equal: true },
  // answer: the text is the answer
  { mode: 'answer', completion: '\\boxed{5}', gold: '5', equal: true, extracted: '5' },
  { mode: 'answer', completion: '$\\frac12$', gold: '0.5', equal: true, extracted: '\\frac12' },
  { mode: 'answer', completion: 'The answer is 5', gold: '5', equal: false },
  { mode: 'answer', completion: '   ', gold: '5', equal: false, extracted: null },
];
