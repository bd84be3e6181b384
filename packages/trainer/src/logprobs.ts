// Teacher-forced scoring of trajectories (method.md §3): one forward pass over the stored inputs
// [prompt | CoT inputs | prefill | scored tokens], then per-entry log-probabilities of the actions:
//   hard CoT step t:       log softmax(logits / τ)[x_t]
//   soft/fuzzy CoT step t: −‖h̃_t − p_{t−1}·E‖² / (2σ²), with p recomputed here, so the gradient reaches the
//                          parameters through p, the LM head, the transformer and E
//   scored tokens:         log softmax(logits / τ_s)[y] (sampled answers, or a reference answer for
//                          likelihood rewards at τ_s = 1)
// Prefill tokens are inputs only. Entries are returned flat with the row each belongs to.
import * as tf from '@tensorflow/tfjs';
import type { CausalLM } from '@softcot/model';
import { gaussianLogDensity, mixEmbeddings, mixtureProbs, type MixtureFilter, type CotMode } from '@softcot/mixer';

export interface ScoredSequence {
  promptIds: number[];
  /** CoT actions (hard rows: the fed tokens; soft rows: shadow tokens, only their count matters). */
  cotTokens: number[];
  /** Soft/fuzzy rows: the noisy inputs fed, [cotTokens.length × d]. */
  cotInputs: Float32Array | null;
  prefillIds: number[];
  /** Tokens scored after the prefill (answer actions or a likelihood target). */
  scoredIds: number[];
}

export interface ScoringSettings {
  mode: CotMode;
  cotTemperature: number;
  filter?: MixtureFilter;
  /** σ of the Gaussian policy on soft inputs (soft/fuzzy). */
  sigma: number;
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

/** Score a batch of sequences. Call inside tf.tidy / tf.variableGrads; returns tensors on the tape. */
export function scoreSequences(model: CausalLM, seqs: ScoredSequence[], s: ScoringSettings): EntryLogProbs {
  const d = model.config.hiddenSize;
  const soft = s.mode !== 'hard';
  const lengths = seqs.map((q) => q.promptIds.length + q.cotTokens.length + q.prefillIds.length + q.scoredIds.length);
  const W = Math.max(...lengths);
  const M = seqs.length;
  const ids = new Int32Array(M * W).fill(s.padId);
  const mask = seqs.map(() => new Uint8Array(W));
  const embeds = soft ? new Float32Array(M * W * d) : null;
  const useEmbeds = soft ? new Float32Array(M * W) : null;
  // Flat [M*W] index of the position whose logits predict each entry, and that entry's target.
  const cotPos: number[] = [], cotRow: number[] = [], cotTok: number[] = [], noisy: number[] = [];
  const scoredPos: number[] = [], scoredRow: number[] = [], scoredTok: number[] = [];

  seqs.forEach((q, m) => {
    if (soft && q.cotInputs && q.cotInputs.length !== q.cotTokens.length * d)
      throw new Error(`scoreSequences: row ${m} has ${q.cotInputs.length / d} CoT inputs for ${q.cotTokens.length} steps`);
    const offset = W - lengths[m]!;
    let k = offset;
    const put = (id: number) => {
      ids[m * W + k] = id;
      mask[m]![k] = 1;
      k++;
    };
    q.promptIds.forEach(put);
    q.cotTokens.forEach((tok, step) => {
      cotPos.push(m * W + k - 1);
      cotRow.push(m);
      if (soft) {
        embeds!.set(q.cotInputs!.subarray(step * d, (step + 1) * d), (m * W + k) * d);
        useEmbeds![m * W + k] = 1;
        for (let j = 0; j < d; j++) noisy.push(q.cotInputs![step * d + j]!);
        put(s.padId);
      } else {
        cotTok.push(tok);
        put(tok);
      }
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
    ...(soft ? { inputEmbeds: tf.tensor3d(embeds!, [M, W, d]), useEmbeds: tf.tensor2d(useEmbeds!, [M, W]) } : {}),
    attentionMask: mask,
    logits: 'none',
  });
  const hidden = out.hidden.reshape([M * W, d]) as tf.Tensor2D;
  const logitsAt = (pos: number[]) => model.lmHead(tf.gather(hidden, tf.tensor1d(pos, 'int32')).expandDims(0) as tf.Tensor3D).squeeze([0]) as tf.Tensor2D;
  const tokenLogProbs = (pos: number[], tok: number[], temperature: number): tf.Tensor1D => {
    if (pos.length === 0) return tf.zeros([0]) as tf.Tensor1D;
    // Pick logp[i, tok[i]] from the flattened [N·V] log-probabilities (no N×V one-hot).
    const V = model.config.vocabSize;
    const logp = tf.logSoftmax(tf.div(logitsAt(pos), temperature)).reshape([pos.length * V]);
    return tf.gather(logp, tf.tensor1d(tok.map((t, i) => i * V + t), 'int32')) as tf.Tensor1D;
  };

  let cot: tf.Tensor1D;
  if (cotPos.length === 0) cot = tf.zeros([0]) as tf.Tensor1D;
  else if (soft) {
    const probs = mixtureProbs(logitsAt(cotPos), s.cotTemperature, s.filter);
    const mean = mixEmbeddings(probs, model.embeddingMatrix as unknown as tf.Tensor2D);
    cot = gaussianLogDensity(tf.tensor2d(noisy, [cotPos.length, d]), mean, s.sigma);
  } else cot = tokenLogProbs(cotPos, cotTok, s.cotTemperature);

  return {
    cot,
    cotRow: Int32Array.from(cotRow),
    scored: tokenLogProbs(scoredPos, scoredTok, s.scoredTemperature),
    scoredRow: Int32Array.from(scoredRow),
  };
}
