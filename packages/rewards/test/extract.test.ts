import { describe, expect, it } from 'vitest';
import { extractAnswer, lastBoxedContent } from '@softcot/rewards';

describe('extractAnswer', () => {
  it('takes the last \\boxed{} with nested braces', () => {
    expect(extractAnswer('first \\boxed{1} then \\boxed{\\frac{1}{\\sqrt{2}}} done')).toEqual({ answer: '\\frac{1}{\\sqrt{2}}', rule: 'boxed' });
    expect(extractAnswer('$\\boxed{\\{1, 2\\}}$').answer).toBe('\\{1, 2\\}');
    expect(extractAnswer('\\boxed{\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}}').answer).toBe('\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}');
  });
  it('handles \\fbox and the brace-less \\boxed 5', () => {
    expect(extractAnswer('so \\fbox{42}.')).toEqual({ answer: '42', rule: 'fbox' });
    expect(extractAnswer('The answer is $\\boxed 5$.')).toEqual({ answer: '5', rule: 'boxed' });
    expect(extractAnswer('\\boxed -3.5 and more')).toEqual({ answer: '-3.5', rule: 'boxed' });
    expect(extractAnswer('\\boxed{1} \\fbox{2}').rule).toBe('fbox');
  });
  it('an unbalanced or empty last box is no answer in markers mode (a cut-off answer), whatever came before', () => {
    expect(extractAnswer('\\boxed{7} and then \\boxed{\\frac{1}{2}')).toEqual({ answer: null, rule: 'none' });
    expect(extractAnswer('\\boxed{\\frac{1}{2}').rule).toBe('none');
    expect(extractAnswer('#### 7\nThe final answer is: \\boxed{').answer).toBeNull();
    expect(extractAnswer('so 7. \\boxed{', { lastNumberFallback: true }).answer).toBeNull();
    expect(extractAnswer('\\boxed{7} then \\boxed{}').answer).toBeNull();
    // math-verify mode, like Math-Verify, falls back to the previous complete box
    expect(extractAnswer('\\boxed{7} and then \\boxed{\\frac{1}{2}', { extract: 'math-verify' }).answer).toBe('7');
  });
  it('ignores \\boxedfoo lookalikes', () => {
    expect(extractAnswer('\\boxed{}').answer).toBeNull();
    expect(extractAnswer('\\boxedx{3}').answer).toBeNull();
  });
  it('junk after "The final answer is" is no answer', () => {
    expect(extractAnswer('The final answer is: \\boxed{{{{').answer).toBeNull();
    expect(extractAnswer('The final answer is: {{{{').answer).toBeNull();
    expect(extractAnswer('The final answer is: }').answer).toBeNull();
    expect(extractAnswer('The final answer is: .').answer).toBeNull();
    expect(extractAnswer('The final answer is: 42').answer).toBe('42');
  });
  it('GSM8K #### n', () => {
    expect(extractAnswer('She sold 48+24 = <<48+24=72>>72 clips.\n#### 72')).toEqual({ answer: '72', rule: 'gsm8k' });
    expect(extractAnswer('#### 1,000\n').answer).toBe('1,000');
    expect(extractAnswer('#### $5.').answer).toBe('$5'); // currency is the grader's job
  });
  it('"The final answer is" with and without colon, trailing period, boxed inside', () => {
    expect(extractAnswer('The final answer is: 12.')).toEqual({ answer: '12', rule: 'final-answer' });
    expect(extractAnswer('The final answer is $\\frac{1}{2}$. I hope it is correct.')).toEqual({ answer: '\\frac{1}{2}', rule: 'final-answer' });
    expect(extractAnswer('Final Answer: 3.5')).toEqual({ answer: '3.5', rule: 'final-answer' });
    expect(extractAnswer('**Final Answer:** 72')).toEqual({ answer: '72', rule: 'final-answer' });
    expect(extractAnswer('The final answer is **$18$**.')).toEqual({ answer: '18', rule: 'final-answer' });
    expect(extractAnswer('The final answer is \\boxed{7}.').answer).toBe('7');
    expect(extractAnswer('The final answer is $\\boxed{7}$', { rules: ['final-answer'] })).toEqual({ answer: '7', rule: 'final-answer' });
  });
  it('<answer> tags', () => {
    expect(extractAnswer('<think>blah 3</think><answer> 42 </answer>')).toEqual({ answer: '42', rule: 'answer-tag' });
    expect(extractAnswer('<answer>$x=2$</answer>').answer).toBe('x=2');
  });
  it('last-number fallback is off by default', () => {
    expect(extractAnswer('so we get 12 apples and 3.5 pears')).toEqual({ answer: null, rule: 'none' });
    expect(extractAnswer('so we get 12 apples and 3.5 pears', { lastNumberFallback: true })).toEqual({ answer: '3.5', rule: 'last-number' });
    expect(extractAnswer('total 1,234,567.', { lastNumberFallback: true }).answer).toBe('1,234,567');
    expect(extractAnswer('no digits', { lastNumberFallback: true }).rule).toBe('none');
  });
  it('answer mode takes the text whole (without delimiters or an enclosing box)', () => {
    expect(extractAnswer('$\\frac12$', { extract: 'answer' })).toEqual({ answer: '\\frac12', rule: 'whole-answer' });
    expect(extractAnswer('\\boxed{(1, 2)}', { extract: 'answer' }).answer).toBe('(1, 2)');
    expect(extractAnswer('\\boxed{1} + \\boxed{2}', { extract: 'answer' }).answer).toBe('\\boxed{1} + \\boxed{2}');
    expect(extractAnswer('The answer is 5', { extract: 'answer' }).answer).toBe('The answer is 5');
  });
  it('math-verify mode reads free text: answer phrases, then the last formula or number ("Therefore, X.")', () => {
    const mv = (t: string) => extractAnswer(t, { extract: 'math-verify' });
    expect(mv('The answer is $\\frac{3}{4}$, as checked.')).toEqual({ answer: '\\frac{3}{4}', rule: 'answer-phrase' });
    expect(mv('Final answer: 12')).toEqual({ answer: '12', rule: 'final-answer-is' });
    expect(mv('Both roots work. Therefore, $x = 5$.')).toEqual({ answer: 'x = 5', rule: 'last-math' });
    // a sentence ending on a variable names it: the number before it is the answer
    expect(mv('Therefore, there are $18$ possible values for $n$.')).toEqual({ answer: '18', rule: 'last-math' });
    expect(mv('So the unknown is $n$.')).toEqual({ answer: 'n', rule: 'last-math' });
    expect(mv('We get \\[ \\sqrt{2} \\] and then $\\pi$')).toEqual({ answer: '\\pi', rule: 'last-math' });
    expect(mv('It costs 1,250 dollars in total')).toEqual({ answer: '1250', rule: 'last-math' });
    expect(mv('no maths here')).toEqual({ answer: null, rule: 'none' });
  });
  it('rule restriction', () => {
    expect(extractAnswer('#### 5\n\\boxed{6}', { rules: ['gsm8k'] })).toEqual({ answer: '5', rule: 'gsm8k' });
  });
  it('never throws on non-strings and empty input', () => {
    expect(extractAnswer('')).toEqual({ answer: null, rule: 'none' });
    expect(extractAnswer(null as unknown as string)).toEqual({ answer: null, rule: 'none' });
  });
  it('caps the extracted answer length', () => {
    expect(extractAnswer(`\\boxed{${'1'.repeat(5000)}}`).answer!.length).toBe(2000);
  });
});

describe('lastBoxedContent', () => {
  it('returns the last box of a MATH solution', () => {
    expect(lastBoxedContent('So $x = \\boxed{3}$ or $\\boxed{\\dfrac{1}{2}}$.')).toBe('\\dfrac{1}{2}');
    expect(lastBoxedContent('no box here')).toBeNull();
    expect(lastBoxedContent('\\boxed{a{b{c}}d}')).toBe('a{b{c}}d');
    expect(lastBoxedContent('escaped \\boxed{\\{1\\}}')).toBe('\\{1\\}');
  });
});
