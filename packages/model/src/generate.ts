// Plain greedy decoding with the KV cache: the reference path for interop (`softcot forward --generate`)
// and for checking that cached decoding equals a full forward pass.
import * as tf from '@tensorflow/tfjs';
import { KVCache } from './kv-cache';
import type { CausalLM } from './transformer';

export interface GreedyResult {
  tokens: number[][];
  /** Logits [V] of every generated step, per row (only with keepLogits). */
  logits?: Float32Array[][];
}

/**
 * Greedy-decode `steps` tokens for a batch of prompts. Prompts may differ in length: they are left-padded
 * with `padId` and masked. Returns only the new tokens.
 */
export function greedyGenerate(
  model: CausalLM,
  prompts: number[][],
  steps: number,
  opts: { padId?: number; keepLogits?: boolean } = {},
): GreedyResult {
  const batch = prompts.length;
  const width = Math.max(...prompts.map((p) => p.length));
  if (width === 0) throw new Error('greedyGenerate: empty prompt');
  const pad = opts.padId ?? 0;
  const mask: number[][] = prompts.map((p) => [...new Array(width - p.length).fill(0), ...new Array(p.length).fill(1)]);
  const ids = prompts.map((p) => [...new Array(width - p.length).fill(pad), ...p]);
  const cache = new KVCache(model.config.numLayers);
  const tokens: number[][] = prompts.map(() => []);
  const logits: Float32Array[][] = prompts.map(() => []);
  try {
    let input = ids;
    for (let s = 0; s < steps; s++) {
      const last = tf.tidy(() => {
        const out = model.forward({ inputIds: tf.tensor2d(input, [batch, input[0]!.length], 'int32'), attentionMask: mask, cache, logits: 'last' });
        return out.logits!.reshape([batch, model.config.vocabSize]);
      });
      const values = last.dataSync() as Float32Array;
      last.dispose();
      const next: number[] = [];
      for (let b = 0; b < batch; b++) {
        const row = values.subarray(b * model.config.vocabSize, (b + 1) * model.config.vocabSize);
        next.push(argmax(row));
        if (opts.keepLogits) logits[b]!.push(Float32Array.from(row));
      }
      next.forEach((t, b) => {
        tokens[b]!.push(t);
        mask[b]!.push(1);
      });
      input = next.map((t) => [t]);
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
