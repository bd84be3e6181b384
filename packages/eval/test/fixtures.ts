// A small hand-made evaluation result shared by the report and compare tests.
import { resolveCot } from '@softcot/mixer';
import type { EvalResult, SettingSummary } from '../src/evaluate';

export function summary(setting: string, greedy: boolean, pass1: number, passAtK: Record<number, number>): SettingSummary {
  const [mode] = setting.split(' ') as ['hard' | 'soft' | 'fuzzy'];
  const policy = resolveCot({ mode, greedy, ...(mode === 'hard' ? {} : { sigma: 0.1 }) });
  return { setting, mode, greedy, policy, problems: 2, samplesPerProblem: greedy ? 1 : 4, pass1, passAtK, meanCotLength: 5, stopReasons: { stop: 2 }, entropyByPosition: [1, 0.5, 0.25] };
}

export const result: EvalResult = {
  summaries: [summary('hard greedy', true, 0.5, { 1: 0.5 }), summary('soft sample', false, 0.25, { 1: 0.25, 2: 0.4, 4: 0.5 })],
  problems: [
    { id: 'p1', question: 'q1', reference: '3', setting: 'hard greedy', correct: 1, samples: [{ completion: 'c', cotText: 'z', extracted: '3', correct: true, cotLength: 5, cotStop: 'stop' }] },
  ],
};
