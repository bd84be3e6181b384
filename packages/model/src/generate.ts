// Plain greedy decoding with the KV cache: the reference path for interop (`softcot forward --generate`), for
// decode benchmarks, and for checking that cached decoding equals a full forward pass.
import * as tf from '@tensorflow/tfjs';
import { KVCache } from './kv-cache';
import type { CausalLM } from './transformer';

export interface GreedyResult {
  tokens: number[][];
  /** Logits [V] of every generated step, per row (only with keepLogits). */
  logits?: Float32Array[][];
}

export interface GreedyOptions {
  /** Pad id for left-padding token prompts of different lengths (default 0). */
  padId?: number;
  keepLogits?: boolean;
  /** Called after each step with the step index (0 = the prompt's forward pass) and the new token of every row. */
  onStep?: (step: number, next: number[]) => void;
}

/**
 * Greedy-decode `steps` tokens for a batch of prompts, feeding each new token through the KV cache. A prompt is
 * token ids per row (rows may differ in length: they are left-padded with `padId` and masked) or input
 * embeddings [B, T, d] of equal-length rows (e.g. a prefix of mixture embeddings). Returns only the new tokens.
 */
export function greedyGenerate(model: CausalLM, prompts: number[][] | tf.Tensor3D, steps: number, opts: GreedyOptions = {}): GreedyResult {
  const embeds = prompts instanceof tf.Tensor ? prompts : null;
  const ids = embeds === null ? (prompts as number[][]) : null;
  const batch = embeds !== null ? embeds.shape[0] : ids!.length;
  const width = embeds !== null ? embeds.shape[1] : Math.max(...ids!.map((p) => p.length));
  if (width === 0) throw new Error('greedyGenerate: empty prompt');
  const V = model.config.vocabSize;
  const pad = opts.padId ?? 0;
  const lengths = ids !== null ? ids.map((p) => p.length) : new Array<number>(batch).fill(width);
  const mask: number[][] = lengths.map((n) => [...new Array(width - n).fill(0), ...new Array(n).fill(1)]);
  const cache = new KVCache(model.config.numLayers);
  const tokens: number[][] = Array.from({ length: batch }, () => []);
  const logits: Float32Array[][] = Array.from({ length: batch }, () => []);
  try {
    let next: number[] = [];
    for (let s = 0; s < steps; s++) {
      const last = tf.tidy(() => {
        const input =
          s > 0
            ? { inputIds: tf.tensor2d(next.map((t) => [t]), [batch, 1], 'int32') }
            : embeds !== null
              ? { inputEmbeds: embeds }
              : { inputIds: tf.tensor2d(ids!.map((p) => [...new Array(width - p.length).fill(pad), ...p]), [batch, width], 'int32') };
        return model.forward({ ...input, attentionMask: mask, cache, logits: 'last' }).logits!.reshape([batch, V]);
      });
      const values = last.dataSync() as Float32Array;
      last.dispose();
      next = [];
      for (let b = 0; b < batch; b++) {
        const row = values.subarray(b * V, (b + 1) * V);
        next.push(argmax(row));
        if (opts.keepLogits) logits[b]!.push(Float32Array.from(row));
      }
      next.forEach((t, b) => {
        tokens[b]!.push(t);
        mask[b]!.push(1);
      });
      opts.onStep?.(s, next);
    }
  } finally {
    cache.dispose();
  }
  return opts.keepLogits ? { tokens, logits } : { tokens };
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
