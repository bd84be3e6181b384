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
import { LoraAdapters, resolveLora, type LoraOptions } from './lora';
import { checkpointed } from './activation-checkpoint';
import { bf16Linear, packBf16, unpackBf16 } from './bf16-weights';

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

/** Weights that may be stored in bf16 once frozen: the linear layers' matrices and an untied LM head. */
export function isBf16StorableWeight(name: string): boolean {
  return name === 'lm_head.weight' || /\.(q|k|v|o|gate|up|down)_proj\.weight$/.test(name);
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
  /** Parameters by their Hugging Face names (those stored in bf16 are in `frozenBf16` instead). */
  readonly params: Map<string, tf.Variable>;
  /** Frozen matrices stored as packed bf16 ([out, in/2] int32, see bf16-weights.ts), by HF name. */
  readonly frozenBf16 = new Map<string, tf.Tensor2D>();
  /** LoRA adapters when attached (`attachLora`); the base parameters are then frozen. */
  lora: LoraAdapters | null = null;
  /**
   * Recompute each transformer block in the backward pass instead of keeping its activations (training memory
   * drops from ~20 tensors per block to one; the backward pass runs every block's forward again). Used only by
   * passes without a KV cache.
   */
  activationCheckpointing = false;
  private readonly invFreq: Float64Array;
  /** tfjs variable names are global; a per-instance prefix lets a policy and a frozen reference coexist. */
  private readonly prefix = `softcot${modelCounter++}`;

  /**
   * Wrap already-created tensors (one per `parameterSpecs` entry) as trainable variables. An int32 tensor
   * [out, in/2] for a bf16-storable weight is taken as packed bf16 and stays frozen.
   */
  constructor(config: ModelConfig, tensors: Map<string, tf.Tensor>) {
    this.config = config;
    this.invFreq = ropeInverseFrequencies(config.headDim, config.ropeTheta, config.ropeScaling);
    this.params = new Map();
    for (const spec of parameterSpecs(config)) {
      const t = tensors.get(spec.name);
      if (!t) throw new Error(`internal: tensor ${spec.name} was not provided`);
      if (t.dtype === 'int32') {
        if (!isBf16StorableWeight(spec.name) || t.shape[0] !== spec.shape[0] || t.shape[1]! * 2 !== spec.shape[1])
          throw new Error(`internal: packed bf16 tensor ${spec.name} [${t.shape}] does not fit [${spec.shape}]`);
        this.frozenBf16.set(spec.name, t as tf.Tensor2D);
        continue;
      }
      this.params.set(spec.name, tf.variable(t, true, `${this.prefix}/${spec.name}`));
      t.dispose();
    }
  }

  private p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`internal: no parameter ${name}`);
    return v;
  }

  /** The input embedding matrix E [V, d] the model computes with (LoRA's trained copy when there is one). */
  get embeddingMatrix(): tf.Variable {
    return (this.lora?.enabled ? this.lora.embedTokens : null) ?? this.p('model.embed_tokens.weight');
  }

  /** The output projection [V, d] (E itself when embeddings are tied), or null when it is stored in bf16. */
  private get lmHeadVariable(): tf.Variable | null {
    if (this.config.tieWordEmbeddings) return this.embeddingMatrix;
    const copy = this.lora?.enabled ? this.lora.lmHead : null;
    return copy ?? (this.frozenBf16.has('lm_head.weight') ? null : this.p('lm_head.weight'));
  }

  /**
   * What training updates, by name: every parameter (HF names), or with LoRA only the adapters (and trained
   * copies of E / the LM head), by PEFT state-dict key.
   */
  trainableParams(): Map<string, tf.Variable> {
    if (this.lora) return this.lora.variables();
    if (this.frozenBf16.size > 0) throw new Error('this model stores frozen base weights in bf16: attach LoRA adapters to train it');
    return this.params;
  }

  /**
   * Store every frozen bf16-storable weight (see isBf16StorableWeight) as packed bf16, computing in fp32
   * (bf16-weights.ts); typically after attachLora. Returns the bytes freed. Values are rounded to bf16.
   */
  storeFrozenWeightsInBf16(): number {
    let freed = 0;
    for (const [name, v] of [...this.params]) {
      if (v.trainable || !isBf16StorableWeight(name)) continue;
      const packed = tf.tensor2d(packBf16(v.dataSync() as Float32Array), [v.shape[0]!, v.shape[1]! / 2], 'int32');
      this.frozenBf16.set(name, packed);
      this.params.delete(name);
      v.dispose();
      freed += packed.size * 4;
    }
    return freed;
  }

  get trainableVariables(): tf.Variable[] {
    return [...this.trainableParams().values()];
  }

  /**
   * Attach LoRA adapters (B = 0: the model still computes the base model exactly) and freeze every base
   * parameter. See lora.ts for what happens to E and the LM head.
   */
  attachLora(options: LoraOptions = {}): LoraAdapters {
    if (this.lora) throw new Error('attachLora: this model already has LoRA adapters (detachLora first)');
    const settings = resolveLora(options);
    // The untied head is read only when a trained copy of it is made (it may be stored in bf16).
    const lmHead = !this.config.tieWordEmbeddings && settings.trainLmHead ? this.effectiveParam('lm_head.weight') : null;
    this.lora = new LoraAdapters(this.config, settings, { embed: this.p('model.embed_tokens.weight'), lmHead });
    lmHead?.dispose();
    for (const v of this.params.values()) v.trainable = false;
    return this.lora;
  }

  /**
   * The parameter `name` (HF name) as the model computes with it: with LoRA on, W + s·B·A on adapted layers and
   * the trained copies of E / the LM head. A new tensor; the caller disposes it.
   */
  effectiveParam(name: string): tf.Tensor {
    const packed = this.frozenBf16.get(name);
    const lora = this.lora?.enabled ? this.lora : null;
    if (lora?.embedTokens && name === 'model.embed_tokens.weight') return lora.embedTokens.clone();
    if (lora?.lmHead && name === 'lm_head.weight') return lora.lmHead.clone();
    const module = name.endsWith('.weight') ? name.slice(0, -'.weight'.length) : '';
    if (packed) return tf.tidy(() => (lora?.modules.has(module) ? lora.mergedWeight(module, unpackBf16(packed)) : unpackBf16(packed)));
    const base = this.p(name);
    if (lora?.modules.has(module)) return lora.mergedWeight(module, base as tf.Tensor2D);
    return base.clone();
  }

  /** Fold the LoRA adapters into the base weights (W ← W + s·B·A, trained copies in place) and drop them. */
  mergeLora(): void {
    if (!this.lora) throw new Error('mergeLora: the model has no LoRA adapters');
    this.lora.enabled = true;
    for (const spec of parameterSpecs(this.config)) {
      const merged = this.effectiveParam(spec.name);
      const v = this.params.get(spec.name);
      if (v) {
        v.assign(merged);
        merged.dispose();
      } else {
        // A bf16-stored weight becomes an fp32 variable again (holding the merged values).
        this.params.set(spec.name, tf.variable(merged, false, `${this.prefix}/${spec.name}`));
        merged.dispose();
        this.frozenBf16.get(spec.name)!.dispose();
        this.frozenBf16.delete(spec.name);
      }
    }
    this.detachLora();
  }

  /** Drop the adapters (disposing them) and make the base parameters trainable again (bf16-stored ones stay frozen). */
  detachLora(): void {
    this.lora?.dispose();
    this.lora = null;
    for (const v of this.params.values()) v.trainable = true;
  }

  /** E[ids]: [B, T] -> [B, T, d]. */
  embed(ids: tf.Tensor2D): tf.Tensor3D {
    return tf.gather(this.embeddingMatrix, ids) as tf.Tensor3D;
  }

  /** Logits from final-normed hidden states [B, T, d] -> [B, T, V]. */
  lmHead(hidden: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const [b, t, d] = hidden.shape;
      const x = hidden.reshape([b * t, d]) as tf.Tensor2D;
      const w = this.lmHeadVariable;
      const flat = w ? matMul<tf.Tensor2D>(x, w, false, true) : bf16Linear(x, this.frozenBf16.get('lm_head.weight')!);
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

    // LoRA dropout masks of this pass (null: no dropout); a recomputed block reuses them.
    const dropoutKey = this.lora?.nextDropoutKey() ?? null;
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
        h = tf.tidy(() =>
          this.activationCheckpointing && !cache
            ? checkpointed((x, [cs, sn, mk]) => this.block(i, x, cs as tf.Tensor4D, sn as tf.Tensor4D, mk as tf.Tensor4D, undefined, dropoutKey), prev, [cos, sin, maskTensor], this.blockTrainables(i))
            : this.block(i, prev, cos, sin, maskTensor, cache, dropoutKey),
        );
      }
      const hidden = rmsNorm(h, this.p('model.norm.weight'), c.rmsNormEps);
      if (cache) cache.advance(seqLen);
      if (input.logits === 'none') return { hidden };
      const logitsInput = input.logits === 'last' ? (hidden.slice([0, seqLen - 1, 0], [batch, 1, c.hiddenSize]) as tf.Tensor3D) : hidden;
      return { logits: this.lmHead(logitsInput), hidden };
    });
  }

  /** The trainable variables block i reads (what a checkpointed block differentiates). */
  private blockTrainables(i: number): tf.Variable[] {
    const prefix = `model.layers.${i}.`;
    const own = [...this.params].filter(([name, v]) => v.trainable && name.startsWith(prefix)).map(([, v]) => v);
    return this.lora ? [...own, ...this.lora.layerVariables(i)] : own;
  }

  /** x·Wᵀ (+ b) (+ the LoRA update) for the linear layer `name` of block `layer`. */
  private linear(x: tf.Tensor3D, name: string, hasBias: boolean, layer: number, dropoutKey: number | null): tf.Tensor3D {
    const [b, t, d] = x.shape;
    const flat = x.reshape([b * t, d]) as tf.Tensor2D;
    const packed = this.frozenBf16.get(`${name}.weight`);
    const w = packed ?? this.p(`${name}.weight`);
    let y: tf.Tensor = packed ? bf16Linear(flat, packed) : matMul(flat, w, false, true);
    if (hasBias) y = tf.add(y, this.p(`${name}.bias`));
    const delta = this.lora?.delta(name, flat, dropoutKey, layer);
    if (delta) y = tf.add(y, delta);
    return y.reshape([b, t, w.shape[0]]);
  }

  private block(i: number, x: tf.Tensor3D, cos: tf.Tensor4D, sin: tf.Tensor4D, mask: tf.Tensor4D, cache: KVCache | undefined, dropoutKey: number | null): tf.Tensor3D {
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
    const linear = (y: tf.Tensor3D, name: string, bias: boolean) => this.linear(y, `${p}.${name}`, bias, i, dropoutKey);
    let q = heads(linear(n, 'self_attn.q_proj', c.qkvBias), c.numHeads, c.qkNorm ? `${p}.self_attn.q_norm.weight` : undefined);
    let k = heads(linear(n, 'self_attn.k_proj', c.qkvBias), c.numKvHeads, c.qkNorm ? `${p}.self_attn.k_norm.weight` : undefined);
    let v = heads(linear(n, 'self_attn.v_proj', c.qkvBias), c.numKvHeads);
    q = applyRope(q, cos, sin);
    k = applyRope(k, cos, sin);
    if (cache) [k, v] = cache.append(i, k, v);
    const attn = attention(q, k, v, mask, c.numKvHeads);
    const merged = attn.transpose([0, 2, 1, 3]).reshape([b, t, c.numHeads * c.headDim]) as tf.Tensor3D;
    const h = tf.add(x, linear(merged, 'self_attn.o_proj', c.oBias)) as tf.Tensor3D;

    const m = rmsNorm(h, this.p(`${p}.post_attention_layernorm.weight`), c.rmsNormEps);
    const gate = linear(m, 'mlp.gate_proj', c.mlpBias);
    const up = linear(m, 'mlp.up_proj', c.mlpBias);
    const act = tf.mul(tf.mul(gate, tf.sigmoid(gate)), up) as tf.Tensor3D; // silu(gate) * up
    return tf.add(h, linear(act, 'mlp.down_proj', c.mlpBias)) as tf.Tensor3D;
  }

  dispose(): void {
    this.lora?.dispose();
    this.lora = null;
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
    for (const t of this.frozenBf16.values()) t.dispose();
    this.frozenBf16.clear();
  }
}

/**
 * RMSNorm over the last axis: y = x · r · w, r = rsqrt(mean(x²) + eps) (HF: eps inside the root, weight after),
 * with its gradient written out, so the tape keeps only x and r (not x², x·r, y) and no `ones` array is built
 * (tfjs's Mean gradient allocates one of x's size on the host):
 *   g = dy · w;   dx = r · g − r³ · x · mean(g · x);   dw = Σ_rows dy · x · r
 */
export function rmsNorm<T extends tf.Tensor>(x: T, weight: tf.Tensor, eps: number): T {
  const op = tf.customGrad(((input: T, w: tf.Tensor, save: tf.GradSaveFunc) => {
    const r = tf.rsqrt(tf.add(tf.mean(tf.square(input), -1, true), eps));
    save([input, w, r]);
    return {
      value: tf.mul(tf.mul(input, r), w) as T,
      // In a tidy: tfjs keeps whatever a gradient function leaves behind until the whole backward pass ends.
      gradFunc: (dy: T, [xs, ws, rs]: tf.Tensor[]) =>
        tf.tidy(() => {
          const g = tf.mul(dy, ws!);
          // mean as sum · (1/d): the cpu backend's Mean kernel allocates a full-size scratch copy, Sum does not.
          const meanGx = tf.mul(tf.sum(tf.mul(g, xs!), -1, true), 1 / xs!.shape[xs!.rank - 1]!);
          const dx = tf.sub(tf.mul(g, rs!), tf.mul(tf.mul(xs!, tf.pow(rs!, 3)), meanGx));
          const perRow = tf.mul(tf.mul(dy, xs!), rs!);
          const dw = tf.sum(perRow.reshape([-1, ws!.shape[0]!]), 0).reshape(ws!.shape);
          return [dx, dw];
        }),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (op as unknown as (x: T, w: tf.Tensor) => T)(x, weight);
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
