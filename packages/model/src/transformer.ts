// A decoder-only transformer for the Llama, Qwen2 and Qwen3 families, in tfjs ops, nanoGPT-sized.
// Conventions follow Hugging Face transformers exactly (weight names and layouts, rotate-half RoPE,
// RMSNorm as x * rsqrt(mean(x^2) + eps) * w, SwiGLU MLP, grouped-query attention), so that checkpoints
// load unchanged and logits match transformers' own.
//
//   h = embed(ids) | input embeddings
//   for each layer: h = h + o_proj(attn(rope(q), rope(k), v));  h = h + down(silu(gate(n)) * up(n))
//   logits = lm_head(norm(h))
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from './config';
import { applyRope, ropeInverseFrequencies, ropeTables } from './rope';
import { KVCache } from './kv-cache';
import { matMul } from './matmul';

export interface ParameterSpec {
  name: string;
  shape: number[];
  init: 'normal' | 'ones' | 'zeros';
}

/** Every parameter of a model with this config, with HF names and [out, in] linear layouts. */
export function parameterSpecs(c: ModelConfig): ParameterSpec[] {
  const specs: ParameterSpec[] = [{ name: 'model.embed_tokens.weight', shape: [c.vocabSize, c.hiddenSize], init: 'normal' }];
  const qDim = c.numHeads * c.headDim;
  const kvDim = c.numKvHeads * c.headDim;
  for (let i = 0; i < c.numLayers; i++) {
    const p = `model.layers.${i}`;
    const linear = (name: string, out: number, inp: number, bias: boolean) => {
      specs.push({ name: `${p}.${name}.weight`, shape: [out, inp], init: 'normal' });
      if (bias) specs.push({ name: `${p}.${name}.bias`, shape: [out], init: 'zeros' });
    };
    specs.push({ name: `${p}.input_layernorm.weight`, shape: [c.hiddenSize], init: 'ones' });
    linear('self_attn.q_proj', qDim, c.hiddenSize, c.qkvBias);
    linear('self_attn.k_proj', kvDim, c.hiddenSize, c.qkvBias);
    linear('self_attn.v_proj', kvDim, c.hiddenSize, c.qkvBias);
    linear('self_attn.o_proj', c.hiddenSize, qDim, c.oBias);
    if (c.qkNorm) {
      specs.push({ name: `${p}.self_attn.q_norm.weight`, shape: [c.headDim], init: 'ones' });
      specs.push({ name: `${p}.self_attn.k_norm.weight`, shape: [c.headDim], init: 'ones' });
    }
    specs.push({ name: `${p}.post_attention_layernorm.weight`, shape: [c.hiddenSize], init: 'ones' });
    linear('mlp.gate_proj', c.intermediateSize, c.hiddenSize, c.mlpBias);
    linear('mlp.up_proj', c.intermediateSize, c.hiddenSize, c.mlpBias);
    linear('mlp.down_proj', c.hiddenSize, c.intermediateSize, c.mlpBias);
  }
  specs.push({ name: 'model.norm.weight', shape: [c.hiddenSize], init: 'ones' });
  if (!c.tieWordEmbeddings) specs.push({ name: 'lm_head.weight', shape: [c.vocabSize, c.hiddenSize], init: 'normal' });
  return specs;
}

export interface ForwardInput {
  /** Token ids [B, T] (int32). */
  inputIds?: tf.Tensor2D;
  /** Input embeddings [B, T, d]. With `inputIds` too, `useEmbeds` picks per position which one feeds. */
  inputEmbeds?: tf.Tensor3D;
  /** [B, T] of 0/1 (1: take `inputEmbeds`, 0: take embed(inputIds)). Only when both inputs are given. */
  useEmbeds?: tf.Tensor2D;
  /**
   * Host-side 0/1 mask over all keys, past and new: [B][pastLength + T]. Left padding is 0.
   * Defaults to all ones. Positions are derived from it (pads do not advance the position).
   */
  attentionMask?: ArrayLike<number>[];
  /** Cache of past keys/values; extended in place with this call's keys/values. */
  cache?: KVCache;
  /** Compute logits only at the last position (decoding), or at every position (default). */
  logits?: 'all' | 'last' | 'none';
}

export interface ForwardOutput {
  /** [B, T, V], or [B, 1, V] with logits: 'last'. Absent with logits: 'none'. */
  logits?: tf.Tensor3D;
  /** Final-normed hidden states [B, T, d]. */
  hidden: tf.Tensor3D;
}

let modelCounter = 0;

export class CausalLM {
  readonly config: ModelConfig;
  /** Parameters by their Hugging Face names. */
  readonly params: Map<string, tf.Variable>;
  private readonly invFreq: Float64Array;

  /** Wrap already-created tensors (one per `parameterSpecs` entry) as trainable variables. */
  constructor(config: ModelConfig, tensors: Map<string, tf.Tensor>) {
    this.config = config;
    this.invFreq = ropeInverseFrequencies(config.headDim, config.ropeTheta, config.ropeScaling);
    // tfjs variable names are global; a per-instance prefix lets a policy and a frozen reference coexist.
    const prefix = `softcot${modelCounter++}`;
    this.params = new Map();
    for (const spec of parameterSpecs(config)) {
      const t = tensors.get(spec.name);
      if (!t) throw new Error(`internal: tensor ${spec.name} was not provided`);
      this.params.set(spec.name, tf.variable(t, true, `${prefix}/${spec.name}`));
      t.dispose();
    }
  }

  private p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`internal: no parameter ${name}`);
    return v;
  }

  /** The input embedding matrix E [V, d]. */
  get embeddingMatrix(): tf.Variable {
    return this.p('model.embed_tokens.weight');
  }

  /** The output projection [V, d] (E itself when embeddings are tied). */
  get lmHeadMatrix(): tf.Variable {
    return this.config.tieWordEmbeddings ? this.embeddingMatrix : this.p('lm_head.weight');
  }

  get trainableVariables(): tf.Variable[] {
    return [...this.params.values()];
  }

  /** E[ids]: [B, T] -> [B, T, d]. */
  embed(ids: tf.Tensor2D): tf.Tensor3D {
    return tf.gather(this.embeddingMatrix, ids) as tf.Tensor3D;
  }

  /** Logits from final-normed hidden states [B, T, d] -> [B, T, V]. */
  lmHead(hidden: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const [b, t, d] = hidden.shape;
      const flat = matMul<tf.Tensor2D>(hidden.reshape([b * t, d]), this.lmHeadMatrix, false, true);
      return flat.reshape([b, t, this.config.vocabSize]);
    });
  }

  forward(input: ForwardInput): ForwardOutput {
    const c = this.config;
    const { inputIds, inputEmbeds, useEmbeds, cache } = input;
    if (!inputIds && !inputEmbeds) throw new Error('forward: give inputIds or inputEmbeds');
    const [batch, seqLen] = (inputIds ?? inputEmbeds!).shape as [number, number];
    if (inputIds && inputIds.rank !== 2) throw new Error(`forward: inputIds must be [B, T], got [${inputIds.shape}]`);
    if (inputEmbeds) {
      if (inputEmbeds.rank !== 3 || inputEmbeds.shape[2] !== c.hiddenSize)
        throw new Error(`forward: inputEmbeds must be [B, T, ${c.hiddenSize}], got [${inputEmbeds.shape}]`);
      if (inputIds && (inputIds.shape[0] !== batch || inputIds.shape[1] !== inputEmbeds.shape[1]))
        throw new Error(`forward: inputIds [${inputIds.shape}] and inputEmbeds [${inputEmbeds.shape}] disagree`);
      if (inputIds && !useEmbeds) throw new Error('forward: with both inputIds and inputEmbeds, give useEmbeds');
    }
    const past = cache?.length ?? 0;
    if (cache && cache.batch !== batch && past > 0)
      throw new Error(`forward: cache holds batch ${cache.batch}, input has ${batch}`);
    const mask = normaliseMask(input.attentionMask, batch, past + seqLen);
    const { positions, additive } = positionsAndMask(mask, batch, past, seqLen);
    // RoPE past the trained context is extrapolation the checkpoint was not made for: refuse it (method-level checks
    // in the CLI name the flag or input that asked for it).
    let last = -1;
    for (let i = 0; i < positions.length; i++) if (positions[i]! > last) last = positions[i]!;
    if (last >= c.maxPositionEmbeddings)
      throw new Error(`forward: position ${last} is past the model's context (max_position_embeddings ${c.maxPositionEmbeddings} in config.json)`);

    return tf.tidy(() => {
      let h: tf.Tensor3D;
      if (inputIds && inputEmbeds) {
        const select = tf.cast(useEmbeds!, 'bool').expandDims(2).tile([1, 1, c.hiddenSize]);
        h = tf.where(select, inputEmbeds, this.embed(inputIds)) as tf.Tensor3D;
      } else {
        h = inputEmbeds ?? this.embed(inputIds!);
      }
      const { cos, sin } = ropeTables(positions, batch, seqLen, this.invFreq);
      const maskTensor = tf.tensor4d(additive, [batch, 1, seqLen, past + seqLen]);
      for (let i = 0; i < c.numLayers; i++) {
        // One scope per layer: a layer's intermediates are freed when it is done, instead of every layer's living
        // until the forward returns (a 64 x 64-token prefill of the 0.5B model held 15 GB that way). The gradient
        // tape keeps its own copies of what backprop needs, and the KV cache keeps what it stores.
        const prev = h;
        h = tf.tidy(() => this.block(i, prev, cos, sin, maskTensor, cache));
      }
      const hidden = rmsNorm(h, this.p('model.norm.weight'), c.rmsNormEps);
      if (cache) cache.advance(seqLen);
      if (input.logits === 'none') return { hidden };
      const logitsInput = input.logits === 'last' ? (hidden.slice([0, seqLen - 1, 0], [batch, 1, c.hiddenSize]) as tf.Tensor3D) : hidden;
      return { logits: this.lmHead(logitsInput), hidden };
    });
  }

  private linear(x: tf.Tensor3D, name: string, hasBias: boolean): tf.Tensor3D {
    const [b, t, d] = x.shape;
    const w = this.p(`${name}.weight`);
    let y: tf.Tensor = matMul(x.reshape([b * t, d]), w, false, true);
    if (hasBias) y = tf.add(y, this.p(`${name}.bias`));
    return y.reshape([b, t, w.shape[0]]);
  }

  private block(i: number, x: tf.Tensor3D, cos: tf.Tensor4D, sin: tf.Tensor4D, mask: tf.Tensor4D, cache?: KVCache): tf.Tensor3D {
    const c = this.config;
    const p = `model.layers.${i}`;
    const [b, t] = x.shape;
    const n = rmsNorm(x, this.p(`${p}.input_layernorm.weight`), c.rmsNormEps);
    // [B, T, H*D] -> [B, T, H, D] (-> per-head q/k norm) -> [B, H, T, D]
    const heads = (y: tf.Tensor3D, count: number, norm?: string) => {
      let r: tf.Tensor = y.reshape([b, t, count, c.headDim]);
      if (norm) r = rmsNorm(r, this.p(norm), c.rmsNormEps);
      return r.transpose([0, 2, 1, 3]) as tf.Tensor4D;
    };
    let q = heads(this.linear(n, `${p}.self_attn.q_proj`, c.qkvBias), c.numHeads, c.qkNorm ? `${p}.self_attn.q_norm.weight` : undefined);
    let k = heads(this.linear(n, `${p}.self_attn.k_proj`, c.qkvBias), c.numKvHeads, c.qkNorm ? `${p}.self_attn.k_norm.weight` : undefined);
    let v = heads(this.linear(n, `${p}.self_attn.v_proj`, c.qkvBias), c.numKvHeads);
    q = applyRope(q, cos, sin);
    k = applyRope(k, cos, sin);
    if (cache) [k, v] = cache.append(i, k, v);
    const attn = attention(q, k, v, mask, c.numKvHeads);
    const merged = attn.transpose([0, 2, 1, 3]).reshape([b, t, c.numHeads * c.headDim]) as tf.Tensor3D;
    const h = tf.add(x, this.linear(merged, `${p}.self_attn.o_proj`, c.oBias)) as tf.Tensor3D;

    const m = rmsNorm(h, this.p(`${p}.post_attention_layernorm.weight`), c.rmsNormEps);
    const gate = this.linear(m, `${p}.mlp.gate_proj`, c.mlpBias);
    const up = this.linear(m, `${p}.mlp.up_proj`, c.mlpBias);
    const act = tf.mul(tf.mul(gate, tf.sigmoid(gate)), up) as tf.Tensor3D; // silu(gate) * up
    return tf.add(h, this.linear(act, `${p}.mlp.down_proj`, c.mlpBias)) as tf.Tensor3D;
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}

/** RMSNorm over the last axis: x * rsqrt(mean(x^2) + eps) * w (HF: eps inside the root, weight after). */
export function rmsNorm<T extends tf.Tensor>(x: T, weight: tf.Tensor, eps: number): T {
  return tf.tidy(() => {
    const variance = tf.mean(tf.square(x), -1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(variance, eps))), weight) as T;
  });
}

/**
 * Scaled dot-product attention with grouped-query heads, without materialising repeated k/v:
 * the g = H / Hkv query heads that share a kv head are folded into the query-length axis, so every
 * tensor stays rank 4 (tfjs has no gradient for rank-5 tiles).
 *   q [B, H, T, D], k/v [B, Hkv, S, D], mask [B, 1, T, S] additive -> [B, H, T, D]
 */
export function attention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, mask: tf.Tensor4D, numKvHeads: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, t, d] = q.shape;
    const s = k.shape[2];
    const g = h / numKvHeads;
    const qg = q.reshape([b, numKvHeads, g * t, d]);
    const scores = matMul(qg, k, false, true).mul(1 / Math.sqrt(d)).reshape([b, h, t, s]);
    const probs = tf.softmax(tf.add(scores, mask)).reshape([b, numKvHeads, g * t, s]);
    return matMul(probs, v).reshape([b, h, t, d]) as tf.Tensor4D;
  });
}

function normaliseMask(mask: ArrayLike<number>[] | undefined, batch: number, total: number): ArrayLike<number>[] {
  if (!mask) return Array.from({ length: batch }, () => new Uint8Array(total).fill(1));
  if (mask.length !== batch) throw new Error(`forward: attentionMask has ${mask.length} rows, batch is ${batch}`);
  for (const row of mask)
    if (row.length !== total)
      throw new Error(`forward: attentionMask rows must cover past + new tokens (${total}), got ${row.length}`);
  return mask;
}

const MASKED = -1e9;

/** Positions count only attended tokens (left pads do not advance them); the mask is causal plus padding. */
function positionsAndMask(mask: ArrayLike<number>[], batch: number, past: number, seqLen: number) {
  const total = past + seqLen;
  const positions = new Int32Array(batch * seqLen);
  const additive = new Float32Array(batch * seqLen * total);
  for (let b = 0; b < batch; b++) {
    const row = mask[b]!;
    let count = 0;
    for (let j = 0; j < total; j++) {
      if (j >= past) positions[b * seqLen + (j - past)] = row[j] ? count : 0;
      if (row[j]) count++;
    }
    for (let t = 0; t < seqLen; t++) {
      const query = past + t;
      const base = (b * seqLen + t) * total;
      for (let j = 0; j < total; j++) additive[base + j] = j <= query && row[j] ? 0 : MASKED;
    }
  }
  return { positions, additive };
}
