// Teacher-forced scoring of trajectories (method.md §3): one forward pass over the stored inputs
// [prompt | CoT inputs | prefill | scored tokens], then per-entry log-probabilities of the actions:
//   CoT step t:      the CoT mode's log π of the recorded action (@softcot/mixer: hard token log-probability,
//                    Gaussian log-density of the noisy input, Gumbel log-density, multiplex draws), from the logits
//                    at the position before it
//   scored tokens:   log softmax(logits / τ_s)[y] (sampled answers, or a reference answer for likelihood rewards)
// Prefill tokens are inputs only. The CoT inputs are constants: the token ids for hard rows, the embeddings the rollout
// fed otherwise (teacherForcedInputs rebuilds them once, outside the autograd tape). Entries come back flat with the
// row each belongs to.
import * as tf from '@tensorflow/tfjs';
import { tokenLogProbs, type CausalLM } from '@softcot/model';
import { concatRecords, emptyRecord, mixerFor, type CotPolicy, type CotRecord } from '@softcot/mixer';
import type { Trajectory } from '@softcot/rollout';

export interface ScoredSequence {
  promptIds: number[];
  /** CoT text tokens (hard: the fed tokens; other modes: shadow tokens, only their count matters here). */
  cotTokens: number[];
  /** The CoT steps' records (the actions whose log-probabilities are scored). */
  cot: CotRecord;
  /** The embeddings the rollout fed at the CoT steps, [steps × d]; null for hard rows (the tokens are the inputs). */
  cotInputs: Float32Array | null;
  prefillIds: number[];
  /** Tokens scored after the prefill (answer actions or a likelihood target); may be empty. */
  scoredIds: number[];
}

export interface ScoringSettings {
  cot: CotPolicy;
  /** Temperature of the scored tokens' log-probabilities. */
  scoredTemperature: number;
  padId: number;
}

export interface EntryLogProbs {
  /** [Nc] per CoT step, rows given by cotRow. */
  cot: tf.Tensor1D;
  cotRow: Int32Array;
  /** [Ns] per scored token, rows given by scoredRow. */
  scored: tf.Tensor1D;
  scoredRow: Int32Array;
}

/**
 * A trajectory as a sequence to score, with its CoT inputs rebuilt as constants. Call outside the autograd tape:
 * the rebuilt inputs must not carry gradients (the method treats the fed inputs as data).
 */
export function scoredSequence(model: CausalLM, policy: CotPolicy, t: Trajectory, scoredIds: number[]): ScoredSequence {
  const cotInputs = mixerFor(policy).inputs(policy, t.cot, model.embeddingMatrix as unknown as tf.Tensor2D);
  return { promptIds: t.promptIds, cotTokens: t.cotTokens, cot: t.cot, cotInputs, prefillIds: t.prefillIds, scoredIds };
}

/** A sequence with no CoT (supervised targets, OOD continuations). */
export function plainSequence(promptIds: number[], scoredIds: number[]): ScoredSequence {
  return { promptIds, cotTokens: [], cot: emptyRecord(), cotInputs: null, prefillIds: [], scoredIds };
}

/** Score a batch of sequences. Call inside tf.tidy / tf.variableGrads; returns tensors on the tape. */
export function scoreSequences(model: CausalLM, seqs: ScoredSequence[], s: ScoringSettings): EntryLogProbs {
  const d = model.config.hiddenSize;
  const embedded = seqs.some((q) => q.cotInputs !== null);
  const lengths = seqs.map((q) => q.promptIds.length + q.cotTokens.length + q.prefillIds.length + q.scoredIds.length);
  const W = Math.max(...lengths);
  const M = seqs.length;
  const ids = new Int32Array(M * W).fill(s.padId);
  const mask = seqs.map(() => new Uint8Array(W));
  const embeds = embedded ? new Float32Array(M * W * d) : null;
  const useEmbeds = embedded ? new Float32Array(M * W) : null;
  // Flat [M*W] index of the position whose logits predict each entry, and that entry's target.
  const cotPos: number[] = [], cotRow: number[] = [];
  const scoredPos: number[] = [], scoredRow: number[] = [], scoredTok: number[] = [];

  seqs.forEach((q, m) => {
    if (q.cot.steps !== q.cotTokens.length) throw new Error(`scoreSequences: row ${m} records ${q.cot.steps} CoT steps for ${q.cotTokens.length} tokens`);
    if (q.cotInputs && q.cotInputs.length !== q.cotTokens.length * d)
      throw new Error(`scoreSequences: row ${m} has ${q.cotInputs.length / d} CoT inputs for ${q.cotTokens.length} steps`);
    let k = W - lengths[m]!;
    const put = (id: number) => {
      ids[m * W + k] = id;
      mask[m]![k] = 1;
      k++;
    };
    q.promptIds.forEach(put);
    q.cotTokens.forEach((tok, step) => {
      cotPos.push(m * W + k - 1);
      cotRow.push(m);
      if (q.cotInputs) {
        embeds!.set(q.cotInputs.subarray(step * d, (step + 1) * d), (m * W + k) * d);
        useEmbeds![m * W + k] = 1;
        put(s.padId);
      } else put(tok);
    });
    q.prefillIds.forEach(put);
    q.scoredIds.forEach((tok) => {
      scoredPos.push(m * W + k - 1);
      scoredRow.push(m);
      scoredTok.push(tok);
      put(tok);
    });
  });

  const out = model.forward({
    inputIds: tf.tensor2d(ids, [M, W], 'int32'),
    ...(embedded ? { inputEmbeds: tf.tensor3d(embeds!, [M, W, d]), useEmbeds: tf.tensor2d(useEmbeds!, [M, W]) } : {}),
    attentionMask: mask,
    logits: 'none',
  });
  const hidden = out.hidden.reshape([M * W, d]) as tf.Tensor2D;
  const logitsAt = (pos: number[]) => model.lmHead(tf.gather(hidden, tf.tensor1d(pos, 'int32')).expandDims(0) as tf.Tensor3D).squeeze([0]) as tf.Tensor2D;

  const cot =
    cotPos.length === 0
      ? (tf.zeros([0]) as tf.Tensor1D)
      : mixerFor(s.cot).logProb(s.cot, logitsAt(cotPos), model.embeddingMatrix as unknown as tf.Tensor2D, concatRecords(seqs.map((q) => q.cot)));
  const scored = scoredPos.length === 0 ? (tf.zeros([0]) as tf.Tensor1D) : tokenLogProbs(logitsAt(scoredPos), scoredTok, s.scoredTemperature);
  return { cot, cotRow: Int32Array.from(cotRow), scored, scoredRow: Int32Array.from(scoredRow) };
}
