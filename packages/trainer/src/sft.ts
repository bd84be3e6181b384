// Supervised fine-tuning (ordinary teacher-forced training): how the demo and the study build base models.
// Loss: mean cross-entropy of the solution tokens given the rendered prompt.
//
// Mixture-tolerant pretraining ("soft teacher forcing", method.md §8), an option: on a share of the rows, the CoT
// positions are fed
//     (λ·onehot(x_t) + (1 − λ)·p_τ)·E + σ·ε      instead of E[x_t],
// where x_t is the gold CoT token, p_τ = softmax(logits / τ) is the model's own prediction of that token (from a
// forward pass over the gold prefix, no gradient through it), λ ~ U(0, 1) per row, ε ~ N(0, I_d) and σ = γ·RMS(E).
// The targets stay the gold tokens. A base trained so reads soft/fuzzy mixtures the way it reads tokens, which is
// what a fair comparison of training modes needs (the paper's large bases have that property before any training).
import * as tf from '@tensorflow/tfjs';
import type { CausalLM, Tokenizer } from '@softcot/model';
import { makeRng } from '@softcot/base';
import { mixEmbeddings, mixtureProbs, noiseSigma, resolveCot } from '@softcot/mixer';
import { cotEnd } from '@softcot/rollout';
import { epochBatch, sftText, type Example, type PromptFormat } from '@softcot/data';
import { plainSequence, scoreSequences, type ScoredSequence } from './logprobs';
import { AdamW, learningRate } from './optimizer';
import { accumulateGradients, applyUpdate, paramNames } from './update';
import { prepareModelForTraining, resolveTrainingMemory, trainingPass, type TrainingMemoryOptions } from './training-memory';

/** Supervised tokens are scored as hard tokens at τ = 1: cross-entropy. */
const HARD = resolveCot({ mode: 'hard' });

export interface MixtureTolerance {
  /** Share of the rows (those with a CoT) whose CoT inputs are mixtures, at full schedule. In [0, 1]. The demo and the study use 1 (measured against 0.5 and 0.75: docs/results.md). */
  share: number;
  /** 'constant' (default): `share` from `startStep` on; 'linear': from 0 at `startStep` up to `share` at the last step. */
  schedule?: 'constant' | 'linear';
  /** Steps of plain training first (default 0). */
  startStep?: number;
  /** τ of the model's own prediction p_τ (default 0.5, soft inference's). */
  temperature?: number;
  /** γ of the input noise σ = γ·RMS(E), from the current embeddings (default 0.33). */
  noiseGamma?: number;
}

export interface SftOptions extends TrainingMemoryOptions {
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
  /** Mixture-tolerant pretraining (see the file header); off when absent or at share 0. */
  mixture?: MixtureTolerance;
  onStep?: (step: number, loss: number) => void;
}

interface Encoded {
  promptIds: number[];
  target: number[];
  /** Leading target tokens that form the CoT (up to where the rollout's stop rule fires); 0 for none. */
  cotLength: number;
}

export function supervisedFineTune(model: CausalLM, tokenizer: Tokenizer, examples: Example[], o: SftOptions): number[] {
  if (examples.length === 0) throw new Error('supervisedFineTune: no examples');
  for (const e of examples) if (e.solution === undefined) throw new Error(`supervisedFineTune: example ${e.id} has no solution text`);
  const mixture = o.mixture ? resolveMixture(o.mixture) : null;
  const memory = resolveTrainingMemory(o, (msg) => {
    throw new Error(`supervisedFineTune: ${msg}`);
  });
  prepareModelForTraining(model, memory, o.seed ?? 0);
  const trainable = model.trainableParams();
  const optimizer = new AdamW(trainable, { weightDecay: o.weightDecay ?? 0, moments: memory.optimizerMoments });
  const paramNameOf = paramNames(trainable);
  const stopIds = new Set(tokenizer.stopTokenIds);
  // The target is what follows the rendered prompt in the supervised text (a space, then the solution).
  const encoded: Encoded[] = examples.map((e) => {
    const prompt = o.format.render(e.question);
    const target = tokenizer.encode(sftText(e, o.format).slice(prompt.length), { addSpecialTokens: false });
    return { promptIds: tokenizer.encode(prompt), target, cotLength: mixture ? cotLength(target, tokenizer, stopIds, o.format.cotStop) : 0 };
  });
  (o.extraTexts ?? []).forEach((x, i) => {
    const target = tokenizer.encode(x.target, { addSpecialTokens: false });
    if (target.length === 0) throw new Error(`supervisedFineTune: extraTexts[${i}] has an empty target`);
    encoded.push({ promptIds: tokenizer.encode(x.prompt), target, cotLength: 0 });
  });
  const padId = tokenizer.padTokenId ?? 0;
  const losses: number[] = [];
  try {
    for (let step = 0; step < o.steps; step++) {
      const batch = epochBatch(encoded, o.batchSize, step, o.seed ?? 0);
      const seqs = mixture ? withMixtureInputs(model, batch, mixture, step, o.steps, `${o.seed ?? 0}:mixture:${step}`, padId) : batch.map((x) => plainSequence(x.promptIds, x.target));
      const { value, grads } = tf.variableGrads(
        () =>
          trainingPass(model, () => {
            const e = scoreSequences(model, seqs, { cot: HARD, scoredTemperature: 1, padId });
            return tf.neg(tf.mean(tf.concat([e.cot, e.scored]))) as tf.Scalar;
          }),
        model.trainableVariables,
      );
      const loss = value.dataSync()[0]!;
      value.dispose();
      const named = new Map<string, tf.Tensor>();
      accumulateGradients(named, grads, paramNameOf);
      const lr = learningRate(step, { lr: o.lr, warmupSteps: o.warmupSteps ?? 0, totalSteps: o.steps });
      const { skipped } = applyUpdate(optimizer, named, { loss, lr, maxGradNorm: o.maxGradNorm ?? 1.0 });
      if (skipped) console.error(`sft step ${step + 1}: ${skipped}; update skipped`);
      tf.dispose([...named.values()]);
      losses.push(loss);
      o.onStep?.(step + 1, loss);
    }
  } finally {
    optimizer.dispose();
  }
  return losses;
}

function resolveMixture(m: MixtureTolerance): Required<MixtureTolerance> {
  const r = { schedule: 'constant' as const, startStep: 0, temperature: 0.5, noiseGamma: 0.33, ...m };
  if (!(r.share >= 0 && r.share <= 1)) throw new Error(`supervisedFineTune: mixture.share must be in [0, 1], got ${r.share}`);
  if (r.schedule !== 'constant' && r.schedule !== 'linear') throw new Error(`supervisedFineTune: mixture.schedule must be 'constant' or 'linear', got "${String(r.schedule)}"`);
  if (!(Number.isInteger(r.startStep) && r.startStep >= 0)) throw new Error(`supervisedFineTune: mixture.startStep must be an integer >= 0, got ${r.startStep}`);
  if (!(r.temperature > 0 && Number.isFinite(r.temperature))) throw new Error(`supervisedFineTune: mixture.temperature must be > 0, got ${r.temperature}`);
  if (!(r.noiseGamma >= 0 && Number.isFinite(r.noiseGamma))) throw new Error(`supervisedFineTune: mixture.noiseGamma must be >= 0, got ${r.noiseGamma}`);
  return r;
}

/** The share of mixture rows at `step` of `steps`. */
export function mixtureShare(m: Required<MixtureTolerance>, step: number, steps: number): number {
  if (step < m.startStep) return 0;
  if (m.schedule === 'constant') return m.share;
  return m.share * Math.min(1, (step - m.startStep + 1) / Math.max(1, steps - m.startStep));
}

/** How many leading target tokens form the CoT: up to where the rollout's stop rule fires on them (0: never). */
function cotLength(target: number[], tokenizer: Tokenizer, stopIds: Set<number>, stop: string): number {
  for (let k = 1; k <= target.length; k++) {
    const end = cotEnd(target.slice(Math.max(0, k - stop.length - 2), k), target[k - 1]!, stopIds, tokenizer, stop, Infinity);
    if (end) return end.reason === 'stop-string' ? k : 0;
  }
  return 0;
}

/**
 * The batch as sequences to score, with the CoT inputs of a seeded share of its rows replaced by mixtures. The
 * model's own predictions p_τ come from a forward pass over the gold sequences outside the autograd tape.
 */
function withMixtureInputs(model: CausalLM, batch: Encoded[], m: Required<MixtureTolerance>, step: number, steps: number, seed: string, padId: number): ScoredSequence[] {
  const share = mixtureShare(m, step, steps);
  const rng = makeRng(seed);
  const chosen = batch.map((x) => x.cotLength > 0 && share > 0 && rng.uniform() < share);
  if (!chosen.some(Boolean)) return batch.map((x) => plainSequence(x.promptIds, x.target));
  const E = model.embeddingMatrix as unknown as tf.Tensor2D;
  const d = model.config.hiddenSize;
  const sigma = noiseSigma(E, m.noiseGamma);
  const rows = batch.filter((_, i) => chosen[i]);
  // p_τ·E at every CoT position of the chosen rows: the prediction of CoT token t is read at position t − 1.
  const predicted = tf.tidy(() => {
    const seqs = rows.map((x) => plainSequence(x.promptIds, x.target));
    const width = Math.max(...seqs.map((q) => q.promptIds.length + q.scoredIds.length));
    const ids = new Int32Array(rows.length * width).fill(padId);
    const mask = rows.map(() => new Uint8Array(width));
    const positions: number[] = [];
    seqs.forEach((q, r) => {
      const all = [...q.promptIds, ...q.scoredIds];
      const offset = width - all.length;
      all.forEach((id, k) => {
        ids[r * width + offset + k] = id;
        mask[r]![offset + k] = 1;
      });
      for (let t = 0; t < rows[r]!.cotLength; t++) positions.push(r * width + offset + q.promptIds.length + t - 1);
    });
    const hidden = model.forward({ inputIds: tf.tensor2d(ids, [rows.length, width], 'int32'), attentionMask: mask, logits: 'none' }).hidden.reshape([rows.length * width, d]);
    const logits = model.lmHead(tf.gather(hidden, tf.tensor1d(positions, 'int32')).expandDims(0) as tf.Tensor3D).squeeze([0]) as tf.Tensor2D;
    return mixEmbeddings(mixtureProbs(logits, m.temperature), E).dataSync() as Float32Array;
  });
  const gold = tf.tidy(() => tf.gather(E, tf.tensor1d(rows.flatMap((x) => x.target.slice(0, x.cotLength)), 'int32')).dataSync() as Float32Array);
  let at = 0;
  return batch.map((x, i) => {
    if (!chosen[i]) return plainSequence(x.promptIds, x.target);
    const lambda = rng.uniform();
    const inputs = new Float32Array(x.cotLength * d);
    for (let t = 0; t < x.cotLength; t++, at++)
      for (let k = 0; k < d; k++) inputs[t * d + k] = lambda * gold[at * d + k]! + (1 - lambda) * predicted[at * d + k]! + sigma * rng.normal();
    const cotTokens = x.target.slice(0, x.cotLength);
    return {
      promptIds: x.promptIds,
      cotTokens,
      cot: { steps: x.cotLength, ids: Int32Array.from(cotTokens), values: new Float32Array(0) },
      cotInputs: inputs,
      prefillIds: [],
      scoredIds: x.target.slice(x.cotLength),
    };
  });
}
