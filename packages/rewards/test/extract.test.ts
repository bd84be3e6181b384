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
  it('falls back to an earlier box when the last one is unbalanced (truncated output)', () => {
    expect(extractAnswer('\\boxed{7} and then \\boxed{\\frac{1}{2}').answer).toBe('7');
    expect(extractAnswer('\\boxed{\\frac{1}{2}').rule).toBe('none');
  });
  it('ignores empty boxes and \\boxedfoo lookalikes', () => {
    expect(extractAnswer('\\boxed{}').answer).toBeNull();
    expect(extractAnswer('\\boxedx{3}').answer).toBeNull();
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
