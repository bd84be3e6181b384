import { describe, expect, it } from 'vitest';
import { gradeCompletion, verifierReward, type RewardFunction } from '@softcot/rewards';

describe('verifierReward', () => {
  const reward: RewardFunction = verifierReward();
  const call = (completion: string, reference: string) => reward({ prompt: 'Q', completion, reference, row: {} });
  it('100 correct, 10 extracted-but-wrong, 0 nothing extracted', async () => {
    expect(await call('... so $\\boxed{\\frac{1}{2}}$', '0.5')).toBe(100);
    expect(await call('... so $\\boxed{3}$', '0.5')).toBe(10);
    expect(await call('I do not know, maybe 0.5', '0.5')).toBe(0);
    expect(await call('#### 72', '72')).toBe(100);
  });
  it('custom values and grading options', async () => {
    const r = verifierReward({ correct: 1, boxedWrong: -0.5, none: -1, relTol: 1e-3, lastNumberFallback: true });
    expect(await r({ prompt: '', completion: '\\boxed{3.1416}', reference: '\\pi' })).toBe(1);
    expect(await r({ prompt: '', completion: '\\boxed{4}', reference: '\\pi' })).toBe(-0.5);
    expect(await r({ prompt: '', completion: 'no numbers', reference: '\\pi' })).toBe(-1);
    expect(await r({ prompt: '', completion: 'so 3.1416', reference: '\\pi' })).toBe(1);
  });
  it('never throws on garbage', async () => {
    expect(await reward({ prompt: '', completion: undefined as unknown as string, reference: '1' })).toBe(0);
    expect(await reward({ prompt: '', completion: '\\boxed{1}', reference: null as unknown as string })).toBe(10);
  });
});

describe('gradeCompletion', () => {
  it('returns extraction and verdict', () => {
    expect(gradeCompletion('so \\boxed{x=3}', '3')).toMatchObject({ correct: true, extracted: 'x=3', rule: 'boxed' });
    expect(gradeCompletion('nothing', '3')).toEqual({ correct: false, extracted: null, rule: 'none', reason: 'no-answer-extracted' });
    expect(gradeCompletion('\\boxed{5}', 'so the area is \\boxed{5}.', { goldIsSolution: true }).correct).toBe(true);
    expect(gradeCompletion('\\boxed{5}', 'no answer in here', { goldIsSolution: true }).reason).toBe('no-answer-in-gold-solution');
  });
});
