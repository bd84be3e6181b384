// Supervised pretraining: it lowers the loss on its data, extra (prompt, target) texts are trained on too, and
// it rejects examples it cannot use.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { syntheticPromptFormat, type Example } from '@softcot/data';
import { resolveCot } from '@softcot/mixer';
import { plainSequence, scoreSequences, supervisedFineTune } from '@softcot/trainer';
import { tinyModel, tinyTokenizer } from './helpers';

tf.setBackend('cpu');

const format = syntheticPromptFormat('paper');
const examples: Example[] = [
  { id: 'a', question: '1+2', answer: '3', solution: '1+2=3. The final answer is: \\boxed{3}', row: {} },
  { id: 'b', question: '4-1', answer: '3', solution: '4-1=3. The final answer is: \\boxed{3}', row: {} },
];
const extra = { prompt: 'total:', target: ' bot' };

/** Mean per-token NLL of `target` after `prompt`. */
function nll(model: ReturnType<typeof tinyModel>, prompt: string, target: string): number {
  const tok = tinyTokenizer();
  return tf.tidy(() => {
    const e = scoreSequences(model, [plainSequence(tok.encode(prompt), tok.encode(target, { addSpecialTokens: false }))], {
      cot: resolveCot({ mode: 'hard' }),
      scoredTemperature: 1,
      padId: 0,
    });
    return -tf.mean(e.scored).dataSync()[0]!;
  });
}

describe('supervisedFineTune', () => {
  it('lowers the loss on the examples and on extra texts', () => {
    const model = tinyModel(tinyTokenizer().vocabSize, 3);
    const before = { task: nll(model, format.render('1+2'), ' ' + examples[0]!.solution!), extra: nll(model, extra.prompt, extra.target) };
    const losses = supervisedFineTune(model, tinyTokenizer(), examples, { format, steps: 40, batchSize: 3, lr: 1e-2, seed: 0, extraTexts: [extra] });
    expect(losses).toHaveLength(40);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.5);
    expect(nll(model, format.render('1+2'), ' ' + examples[0]!.solution!)).toBeLessThan(before.task * 0.5);
    expect(nll(model, extra.prompt, extra.target)).toBeLessThan(before.extra * 0.5);
    model.dispose();
  });

  it('mixture-tolerant pretraining: share 0 is plain pretraining bit for bit; a share changes the CoT inputs only', () => {
    const weights = (mixture?: { share: number }) => {
      const model = tinyModel(tinyTokenizer().vocabSize, 3);
      const losses = supervisedFineTune(model, tinyTokenizer(), examples, { format, steps: 6, batchSize: 2, lr: 1e-2, seed: 4, extraTexts: [extra], ...(mixture ? { mixture } : {}) });
      const w = [...model.params.values()].map((v) => Array.from(v.dataSync()));
      model.dispose();
      return { losses, w };
    };
    const plain = weights();
    const zero = weights({ share: 0 });
    expect(zero.losses).toEqual(plain.losses);
    expect(zero.w).toEqual(plain.w);
    // At share 1 every row with a CoT reads mixtures from its first step: the losses differ from the first step on.
    const mixed = weights({ share: 1 });
    expect(mixed.losses[0]).not.toBe(plain.losses[0]);
    expect(mixed.losses.every(Number.isFinite)).toBe(true);
    expect(() => weights({ share: 1.5 })).toThrow(/mixture.share must be in \[0, 1\]/);
  });

  it('rejects examples without a solution and empty extra targets', () => {
    const model = tinyModel(tinyTokenizer().vocabSize, 3);
    expect(() => supervisedFineTune(model, tinyTokenizer(), [{ id: 'x', question: '1+1', answer: '2', row: {} }], { format, steps: 1, batchSize: 1, lr: 1e-3 })).toThrow(/x has no solution/);
    expect(() => supervisedFineTune(model, tinyTokenizer(), examples, { format, steps: 1, batchSize: 1, lr: 1e-3, extraTexts: [{ prompt: 'a', target: '' }] })).toThrow(/extraTexts\[0\] has an empty target/);
    model.dispose();
  });
});
