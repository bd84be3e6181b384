import { describe, expect, it } from 'vitest';
import { gradeAnswer } from '@softcot/rewards';
import { PAIRS } from './pairs';

describe('gradeAnswer equivalence table', () => {
  const total = Object.values(PAIRS).reduce((n, rows) => n + rows.length, 0);
  it('has at least 150 pairs, both equal and different ones', () => {
    expect(total).toBeGreaterThanOrEqual(150);
    const all = Object.values(PAIRS).flat();
    expect(all.filter((p) => p[2]).length).toBeGreaterThan(50);
    expect(all.filter((p) => !p[2]).length).toBeGreaterThan(50);
  });
  for (const [group, rows] of Object.entries(PAIRS)) {
    describe(group, () => {
      it.each(rows)('%s vs %s -> %s', (pred, gold, equal) => {
        const r = gradeAnswer(pred, gold);
        expect(r.correct, `${pred} vs ${gold}: ${r.reason} (${r.predNormalized} | ${r.goldNormalized})`).toBe(equal);
        expect(typeof r.reason).toBe('string');
      });
    });
  }
});

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
});
