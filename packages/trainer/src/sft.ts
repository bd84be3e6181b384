// Supervised fine-tuning (ordinary hard-token training): how the demo and the study build base models.
// Loss: mean cross-entropy of the solution tokens given the rendered prompt.
import * as tf from '@tensorflow/tfjs';
import type { CausalLM, Tokenizer } from '@softcot/model';
import { epochBatch, sftText, type Example, type PromptFormat } from '@softcot/data';
import { scoreSequences } from './logprobs';
import { AdamW, clipByGlobalNorm, globalNorm, learningRate } from './optimizer';

export interface SftOptions {
  format: PromptFormat;
  steps: number;
  batchSize: number;
  lr: number;
  warmupSteps?: number;
  weightDecay?: number;
  maxGradNorm?: number;
  seed?: number;
  /**
   * Extra (prompt, target) texts mixed into the training pool with the examples, e.g. unrelated text so that
   * out-of-domain NLL measures what post-training forgets. The loss covers the target tokens only.
   */
  extraTexts?: ReadonlyArray<{ prompt: string; target: string }>;
  onStep?: (step: number, loss: number) => void;
}

export function supervisedFineTune(model: CausalLM, tokenizer: Tokenizer, examples: Example[], o: SftOptions): number[] {
  if (examples.length === 0) throw new Error('supervisedFineTune: no examples');
  for (const e of examples) if (e.solution === undefined) throw new Error(`supervisedFineTune: example ${e.id} has no solution text`);
  const optimizer = new AdamW(model.params, { weightDecay: o.weightDecay ?? 0 });
  const hfNameOf = new Map([...model.params].map(([hf, v]) => [v.name, hf]));
  // The target is what follows the rendered prompt in the supervised text (a space, then the solution).
  const encoded = examples.map((e) => {
    const prompt = o.format.render(e.question);
    return { promptIds: tokenizer.encode(prompt), target: tokenizer.encode(sftText(e, o.format).slice(prompt.length), { addSpecialTokens: false }) };
  });
  (o.extraTexts ?? []).forEach((x, i) => {
    const target = tokenizer.encode(x.target, { addSpecialTokens: false });
    if (target.length === 0) throw new Error(`supervisedFineTune: extraTexts[${i}] has an empty target`);
    encoded.push({ promptIds: tokenizer.encode(x.prompt), target });
  });
  const losses: number[] = [];
  try {
    for (let step = 0; step < o.steps; step++) {
      const batch = epochBatch(encoded, o.batchSize, step, o.seed ?? 0);
      const { value, grads } = tf.variableGrads(() => {
        const e = scoreSequences(
          model,
          batch.map((x) => ({ promptIds: x.promptIds, cotTokens: [], cotInputs: null, prefillIds: [], scoredIds: x.target })),
          { mode: 'hard', cotTemperature: 1, sigma: 1, scoredTemperature: 1, padId: tokenizer.padTokenId ?? 0 },
        );
        return tf.neg(tf.mean(e.scored)) as tf.Scalar;
      }, model.trainableVariables);
      const loss = value.dataSync()[0]!;
      value.dispose();
      const named = new Map(Object.entries(grads).map(([k, g]) => [hfNameOf.get(k)!, g]));
      const norm = globalNorm(named.values());
      if (Number.isFinite(loss) && Number.isFinite(norm)) {
        const clipped = clipByGlobalNorm(named, norm, o.maxGradNorm ?? 1.0);
        optimizer.apply(clipped, learningRate(step, { lr: o.lr, warmupSteps: o.warmupSteps ?? 0, totalSteps: o.steps }));
        for (const g of clipped.values()) g.dispose();
      } else {
        console.error(`sft step ${step + 1}: non-finite loss or gradient; update skipped`);
      }
      for (const g of named.values()) g.dispose();
      losses.push(loss);
      o.onStep?.(step + 1, loss);
    }
  } finally {
    optimizer.dispose();
  }
  return losses;
}
