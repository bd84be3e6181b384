import { describe, expect, it } from 'vitest';
import { gradeAnswer } from '@softcot/rewards';

describe('gradeAnswer options and edge cases', () => {
  it('relTol is configurable', () => {
    expect(gradeAnswer('3.1416', '3.14159265').correct).toBe(false);
    expect(gradeAnswer('3.1416', '3.14159265', { relTol: 1e-4 }).correct).toBe(true);
    expect(gradeAnswer('10001', '10000', { relTol: 1e-6 }).correct).toBe(false);
    // integers are exact by default, but a deliberately loosened tolerance applies to them too
    expect(gradeAnswer('1000001', '1000000').correct).toBe(false);
    expect(gradeAnswer('1000001', '1000000', { relTol: 1e-5 }).correct).toBe(true);
  });
  it('strict percent mode does not rescale', () => {
    expect(gradeAnswer('50\\%', '0.5', { percent: 'strict' }).correct).toBe(false);
    expect(gradeAnswer('50\\%', '50', { percent: 'strict' }).correct).toBe(true);
  });
  it('empty and non-string predictions are wrong, not errors', () => {
    expect(gradeAnswer('', '5')).toMatchObject({ correct: false, reason: 'empty-pred' });
    expect(gradeAnswer('   ', '5').correct).toBe(false);
    expect(gradeAnswer(undefined as unknown as string, '5')).toMatchObject({ correct: false, reason: 'not-a-string' });
    expect(gradeAnswer(5 as unknown as string, '5').correct).toBe(false);
  });
  it('rejects over-long answers without parsing them', () => {
    expect(gradeAnswer('1'.repeat(3000), '1').reason).toBe('pred-too-long');
  });
  it('reports normalised forms', () => {
    const r = gradeAnswer('\\$1,000', '1000');
    expect(r).toMatchObject({ correct: true, predNormalized: '1000', goldNormalized: '1000' });
  });
  it('huge values are never equal to each other by overflow', () => {
    expect(gradeAnswer('10^{10^{10}}', '10^{10^{11}}').correct).toBe(false);
    expect(gradeAnswer('10^{400}', '10^{401}').correct).toBe(false);
  });
  it('says in the reason when only the numeric check at random points decided', () => {
    // mathjs simplify proves this one
    expect(gradeAnswer('x^2-1', '(x-1)(x+1)')).toMatchObject({ correct: true });
    // simplify cannot prove a trig identity: the reason says it was checked numerically
    const trig = gradeAnswer('\\tan^2 y + 1', '\\sec^2 y');
    expect(trig.correct).toBe(true);
    expect(trig.reason).toMatch(/numeric-equal-at-6-random-points \(mathjs could not decide symbolically/);
    const rounded = gradeAnswer('0.333333', '\\frac{1}{3}');
    expect(rounded).toMatchObject({ correct: true });
    expect(rounded.reason).toMatch(/rounded-decimal/);
  });
  it('the numeric check cannot accept 10001 for 10000, symbolic or not', () => {
    expect(gradeAnswer('10001', '10000').correct).toBe(false);
    expect(gradeAnswer('10001x', '10000x').correct).toBe(false);
    expect(gradeAnswer('10001\\sin x', '10000\\sin x').correct).toBe(false);
    expect(gradeAnswer('x + 10001', 'x + 10000').correct).toBe(false);
  });
});
