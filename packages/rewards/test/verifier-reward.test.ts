import { describe, expect, it } from 'vitest';
import { gradeCompletion, hasClosedMarker, verifierReward, type RewardFunction } from '@softcot/rewards';

describe('verifierReward: 100 correct, 10 closed marker but wrong, 0 otherwise', () => {
  const reward: RewardFunction = verifierReward();
  const call = (completion: string, reference: string) => reward({ prompt: 'Q', completion, reference, row: {} });
  it('100 for a correct answer behind a marker', async () => {
    expect(await call('... so $\\boxed{\\frac{1}{2}}$', '0.5')).toBe(100);
    expect(await call('7+5=12. The final answer is: \\boxed{12}', '12')).toBe(100);
    expect(await call('#### 72', '72')).toBe(100);
    expect(await call('<think>48+24</think><answer>72</answer>', '72')).toBe(100);
    expect(await call('The final answer is $72$. I hope it is correct.', '72')).toBe(100);
  });
  it('10 for a closed, non-empty box (or marker) with a wrong answer', async () => {
    expect(await call('... so $\\boxed{3}$', '0.5')).toBe(10);
    expect(await call('7+5=12. The final answer is: \\boxed{13}', '12')).toBe(10);
    expect(await call('The final answer is: \\boxed{\\text{no idea}}', '12')).toBe(10);
    expect(await call('#### 71', '72')).toBe(10);
    expect(await call('<answer>71</answer>', '72')).toBe(10);
    expect(await call('The final answer is 71.', '72')).toBe(10);
  });
  it('0 for an unclosed box, even with the right number inside or an earlier box', async () => {
    expect(await call('7+5=12. The final answer is: \\boxed{12', '12')).toBe(0);
    expect(await call('The final answer is: \\boxed{{{{', '12')).toBe(0);
    expect(await call('We had \\boxed{12} earlier. The final answer is: \\boxed{1', '12')).toBe(0);
    expect(await call('The final answer is: \\boxed{\\frac{1}{2}', '0.5')).toBe(0);
  });
  it('0 for the prefilled-but-empty box', async () => {
    expect(await call('7+5=12. The final answer is: \\boxed{}', '12')).toBe(0);
    expect(await call('7+5=12. The final answer is: \\boxed{   }', '12')).toBe(0);
    expect(await call('\\boxed{12} then The final answer is: \\boxed{}', '12')).toBe(0);
  });
  it('0 for junk after "The final answer is" and for no answer at all', async () => {
    expect(await call('The final answer is: }}', '12')).toBe(0);
    expect(await call('The final answer is: ', '12')).toBe(0);
    expect(await call('I do not know, maybe 0.5', '0.5')).toBe(0);
    expect(await call('', '0.5')).toBe(0);
  });
  it('only the configured markers earn the format points', async () => {
    const boxOnly = verifierReward({ rules: ['boxed'] });
    expect(await boxOnly({ prompt: '', completion: '#### 71', reference: '72' })).toBe(0);
    expect(await boxOnly({ prompt: '', completion: '\\boxed{71}', reference: '72' })).toBe(10);
    const tagOnly = verifierReward({ rules: ['answer-tag'] });
    expect(await tagOnly({ prompt: '', completion: '<answer>71</answer>', reference: '72' })).toBe(10);
    expect(await tagOnly({ prompt: '', completion: '<answer>72</answer>', reference: '72' })).toBe(100);
    expect(await tagOnly({ prompt: '', completion: '<answer>71', reference: '72' })).toBe(0);
  });
  it('the format rule holds in every extraction mode; correctness follows the mode', async () => {
    const mv = verifierReward({ extract: 'math-verify' });
    // found by the free-text rules and correct: 100 without a box
    expect(await mv({ prompt: '', completion: 'So the answer is $\\frac12$.', reference: '0.5' })).toBe(100);
    // wrong and no closed marker: 0, not 10
    expect(await mv({ prompt: '', completion: 'So the answer is $\\frac13$.', reference: '0.5' })).toBe(0);
    expect(await mv({ prompt: '', completion: 'So \\boxed{\\frac13}.', reference: '0.5' })).toBe(10);
    const whole = verifierReward({ extract: 'answer' });
    expect(await whole({ prompt: '', completion: '0.5', reference: '\\frac12' })).toBe(100);
    expect(await whole({ prompt: '', completion: '0.4', reference: '\\frac12' })).toBe(0);
  });
  it('custom values and grading options', async () => {
    const r = verifierReward({ correct: 1, boxedWrong: -0.5, none: -1, relTol: 1e-3, lastNumberFallback: true });
    expect(await r({ prompt: '', completion: '\\boxed{3.1416}', reference: '\\pi' })).toBe(1);
    expect(await r({ prompt: '', completion: '\\boxed{4}', reference: '\\pi' })).toBe(-0.5);
    expect(await r({ prompt: '', completion: 'no numbers', reference: '\\pi' })).toBe(-1);
    // the last-number fallback can make an answer correct, but never earns the format points
    expect(await r({ prompt: '', completion: 'so 3.1416', reference: '\\pi' })).toBe(1);
    expect(await r({ prompt: '', completion: 'so 4', reference: '\\pi' })).toBe(-1);
  });
  it('never throws on garbage', async () => {
    expect(await reward({ prompt: '', completion: undefined as unknown as string, reference: '1' })).toBe(0);
    expect(await reward({ prompt: '', completion: '\\boxed{1}', reference: null as unknown as string })).toBe(10);
  });
});

describe('hasClosedMarker', () => {
  it('is the format rule on its own', () => {
    expect(hasClosedMarker('\\boxed{5}')).toBe(true);
    expect(hasClosedMarker('\\boxed{5')).toBe(false);
    expect(hasClosedMarker('\\boxed{}')).toBe(false);
    expect(hasClosedMarker('The final answer is 5')).toBe(true);
    expect(hasClosedMarker('The final answer is \\boxed{')).toBe(false);
    expect(hasClosedMarker('The answer is 5')).toBe(false);
  });
});

describe('gradeCompletion', () => {
  it('returns extraction and verdict', () => {
    expect(gradeCompletion('so \\boxed{x=3}', '3')).toMatchObject({ correct: true, extracted: 'x=3', rule: 'boxed' });
    expect(gradeCompletion('nothing', '3')).toEqual({ correct: false, extracted: null, rule: 'none', reason: 'no-answer-extracted' });
    expect(gradeCompletion('\\boxed{5}', 'so the area is \\boxed{5}.', { goldIsSolution: true }).correct).toBe(true);
    expect(gradeCompletion('\\boxed{5}', 'no answer in here', { goldIsSolution: true }).reason).toBe('no-answer-in-gold-solution');
    // a reference solution's stray unclosed box falls back to its previous complete one
    expect(gradeCompletion('\\boxed{5}', 'so \\boxed{5}, typo \\boxed{', { goldIsSolution: true }).correct).toBe(true);
  });
  it('math-verify mode reads a reference written with delimiters the same way, a bare one whole', () => {
    expect(gradeCompletion('Answer \\[ 9 \\]', '$9$', { extract: 'math-verify' }).correct).toBe(true);
    expect(gradeCompletion('So $\\boxed{(3, -1)}$', '(3, -1)', { extract: 'math-verify' }).correct).toBe(true);
    expect(gradeCompletion('So $\\boxed{(3, -1)}$', '(3, 1)', { extract: 'math-verify' }).correct).toBe(false);
  });
});
