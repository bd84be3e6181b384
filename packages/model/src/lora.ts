// LoRA adapters (Hu et al. 2021, as PEFT implements them) on any subset of a transformer's linear layers.
//
//   y = x·Wᵀ (+ b)  +  s · (dropout(x)·Aᵀ)·Bᵀ,   A [r, in], B [out, r], s = α / r  (rsLoRA: α / √r)
//
// W stays frozen; only A and B train. B starts at zero, so a freshly attached model computes exactly the base
// model; A starts Kaiming-uniform (bound 1/√in), as PEFT's default init. Switching the adapters off gives the base
// model back without a second copy of the weights (the KL reference). Dropout acts only inside `withDropout`
// (training passes), with seeds drawn from one counter, so a run is reproducible and a recomputed block
// (activation checkpointing) sees the same masks as its forward pass.
//
// The embedding matrix E (and an untied LM head) are frozen by default. In soft/fuzzy modes E enters the
// mixture p·E, the input lookup and, when tied, the LM head; with E frozen the policy changes only through the
// adapters (p moves, E does not). `trainEmbeddings` / `trainLmHead` train a full copy of that matrix instead (PEFT's
// modules_to_save): the copy is what the adapted model uses everywhere, the original stays for the adapters-off
// model. With tied embeddings the two options name the same matrix.
import * as tf from '@tensorflow/tfjs';
import { matMul } from './matmul';
import type { ModelConfig } from './config';

export const LORA_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];
const MLP_TARGETS: readonly LoraTarget[] = ['gate_proj', 'up_proj', 'down_proj'];

export interface LoraOptions {
  /** r (default 16). */
  rank?: number;
  /** α; the update is scaled by α/r (default 2·r, so s = 2). */
  alpha?: number;
  /** Dropout on the adapter input during training passes (default 0). */
  dropout?: number;
  /** Linear layers that get adapters (default: all of attention and MLP). */
  targets?: readonly LoraTarget[];
  /** rsLoRA scaling α/√r instead of α/r. */
  rsLora?: boolean;
  /** Train a full copy of the input embedding matrix E (PEFT modules_to_save "embed_tokens"). */
  trainEmbeddings?: boolean;
  /** Train a full copy of the LM head (PEFT modules_to_save "lm_head"); E itself when embeddings are tied. */
  trainLmHead?: boolean;
  /** Seed of A's initialisation and of the dropout masks (default 0). */
  seed?: number;
}

export interface ResolvedLora {
  rank: number;
  alpha: number;
  dropout: number;
  targets: LoraTarget[];
  rsLora: boolean;
  trainEmbeddings: boolean;
  trainLmHead: boolean;
  seed: number;
}

export function resolveLora(o: LoraOptions): ResolvedLora {
  const rank = o.rank ?? 16;
  if (!(Number.isInteger(rank) && rank >= 1)) throw new Error(`lora.rank must be a positive integer, got ${rank}`);
  const alpha = o.alpha ?? 2 * rank;
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new Error(`lora.alpha must be a positive number, got ${alpha}`);
  const dropout = o.dropout ?? 0;
  if (!(dropout >= 0 && dropout < 1)) throw new Error(`lora.dropout must be in [0, 1), got ${dropout}`);
  const targets = [...(o.targets ?? LORA_TARGETS)];
  if (targets.length === 0) throw new Error('lora.targets is empty: name at least one of ' + LORA_TARGETS.join(', '));
  for (const t of targets)
    if (!(LORA_TARGETS as readonly string[]).includes(t)) throw new Error(`lora.targets: unknown layer "${t}" (choose from ${LORA_TARGETS.join(', ')})`);
  if (new Set(targets).size !== targets.length) throw new Error(`lora.targets lists a layer twice: ${targets.join(', ')}`);
  const seed = o.seed ?? 0;
  if (!Number.isInteger(seed)) throw new Error(`lora.seed must be an integer, got ${seed}`);
  return {
    rank, alpha, dropout, targets: LORA_TARGETS.filter((t) => targets.includes(t)), rsLora: o.rsLora ?? false,
    trainEmbeddings: o.trainEmbeddings ?? false, trainLmHead: o.trainLmHead ?? false, seed,
  };
}

/** `model.layers.3.self_attn.q_proj` -> q_proj. */
export function loraTargetOf(modulePath: string): string {
  return modulePath.slice(modulePath.lastIndexOf('.') + 1);
}

/** [out, in] of each targeted linear layer of this config, by module path (HF names without `.weight`). */
export function loraModuleShapes(config: ModelConfig, targets: readonly LoraTarget[]): Map<string, [number, number]> {
  const d = config.hiddenSize;
  const q = config.numHeads * config.headDim;
  const kv = config.numKvHeads * config.headDim;
  const ff = config.intermediateSize;
  const shape: Record<LoraTarget, [number, number]> = {
    q_proj: [q, d], k_proj: [kv, d], v_proj: [kv, d], o_proj: [d, q], gate_proj: [ff, d], up_proj: [ff, d], down_proj: [d, ff],
  };
  const out = new Map<string, [number, number]>();
  for (let i = 0; i < config.numLayers; i++)
    for (const t of targets) out.set(`model.layers.${i}.${MLP_TARGETS.includes(t) ? 'mlp' : 'self_attn'}.${t}`, shape[t]);
  return out;
}

/** PEFT's state-dict key prefix: the PeftModel wraps a LoraModel that wraps the transformers model. */
export const PEFT_PREFIX = 'base_model.model.';

let loraCounter = 0;

export interface LoraModule {
  /** [r, in] */
  a: tf.Variable;
  /** [out, r] */
  b: tf.Variable;
}

export class LoraAdapters {
  readonly settings: ResolvedLora;
  /** s = α/r (α/√r with rsLoRA). */
  readonly scaling: number;
  /** Adapter pairs by module path (`model.layers.0.self_attn.q_proj`). */
  readonly modules = new Map<string, LoraModule>();
  /** Trained copy of E (trainEmbeddings, or trainLmHead with tied embeddings). */
  readonly embedTokens: tf.Variable | null;
  /** Trained copy of an untied LM head. */
  readonly lmHead: tf.Variable | null;
  /** Off: the model computes the base model exactly. */
  enabled = true;
  private dropoutActive = false;
  private dropoutCalls = 0;

  /**
   * New adapters for a model with `config` (B = 0, A Kaiming-uniform). `base` gives the base matrices that
   * trained copies start from.
   */
  constructor(config: ModelConfig, options: LoraOptions | ResolvedLora, base: { embed: tf.Tensor; lmHead: tf.Tensor | null }) {
    const s = resolveLora(options);
    this.settings = s;
    this.scaling = s.rsLora ? s.alpha / Math.sqrt(s.rank) : s.alpha / s.rank;
    const prefix = `softcot-lora${loraCounter++}`;
    let i = 0;
    for (const [path, [out, inp]] of loraModuleShapes(config, s.targets)) {
      const bound = 1 / Math.sqrt(inp);
      // +1: tfjs treats a seed of 0 as "no seed".
      const a = tf.randomUniform([s.rank, inp], -bound, bound, 'float32', s.seed * 100_003 + i++ + 1);
      this.modules.set(path, { a: tf.variable(a, true, `${prefix}/${path}.lora_A`), b: tf.variable(tf.zeros([out, s.rank]), true, `${prefix}/${path}.lora_B`) });
      a.dispose();
    }
    const copyE = s.trainEmbeddings || (s.trainLmHead && config.tieWordEmbeddings);
    this.embedTokens = copyE ? tf.variable(base.embed.clone(), true, `${prefix}/embed_tokens`) : null;
    if (s.trainLmHead && !config.tieWordEmbeddings) {
      if (!base.lmHead) throw new Error('internal: untied model without lm_head');
      this.lmHead = tf.variable(base.lmHead.clone(), true, `${prefix}/lm_head`);
    } else this.lmHead = null;
  }

  /** Everything that trains, by PEFT state-dict key (`base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight`). */
  variables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [path, m] of this.modules) {
      out.set(`${PEFT_PREFIX}${path}.lora_A.weight`, m.a);
      out.set(`${PEFT_PREFIX}${path}.lora_B.weight`, m.b);
    }
    if (this.embedTokens) out.set(`${PEFT_PREFIX}model.embed_tokens.weight`, this.embedTokens);
    if (this.lmHead) out.set(`${PEFT_PREFIX}lm_head.weight`, this.lmHead);
    return out;
  }

  /** The adapter variables of one transformer block (what a checkpointed block differentiates). */
  layerVariables(layer: number): tf.Variable[] {
    const prefix = `model.layers.${layer}.`;
    return [...this.modules].filter(([p]) => p.startsWith(prefix)).flatMap(([, m]) => [m.a, m.b]);
  }

  /** Number of trainable values. */
  get size(): number {
    let n = 0;
    for (const v of this.variables().values()) n += v.size;
    return n;
  }

  /**
   * A dropout key for one forward pass: null when dropout is inactive. The same key reproduces the same masks
   * (the recompute of a checkpointed block passes its forward's key).
   */
  nextDropoutKey(): number | null {
    if (!this.enabled || !this.dropoutActive || this.settings.dropout === 0) return null;
    return ++this.dropoutCalls;
  }

  /**
   * s·(dropout(x)·Aᵀ)·Bᵀ for a linear layer, or null when this layer has no adapter (or adapters are off).
   * x: [N, in] -> [N, out].
   */
  delta(modulePath: string, x: tf.Tensor2D, dropoutKey: number | null, layer: number): tf.Tensor2D | null {
    if (!this.enabled) return null;
    const m = this.modules.get(modulePath);
    if (!m) return null;
    return tf.tidy(() => {
      let input: tf.Tensor2D = x;
      if (dropoutKey !== null) {
        const p = this.settings.dropout;
        const target = LORA_TARGETS.indexOf(loraTargetOf(modulePath) as LoraTarget);
        // One seed per (pass, layer, target); + 1 because tfjs ignores a seed of 0.
        const seed = ((this.settings.seed * 7919 + dropoutKey) * 4096 + layer) * 8 + target + 1;
        const keep = tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', seed), p), 'float32');
        input = tf.mul(x, tf.mul(keep, 1 / (1 - p))) as tf.Tensor2D;
      }
      const low = matMul<tf.Tensor2D>(input, m.a, false, true);
      return tf.mul(matMul<tf.Tensor2D>(low, m.b, false, true), this.scaling) as tf.Tensor2D;
    });
  }

  /** W + s·B·A for one targeted module, from the base weight W [out, in]. */
  mergedWeight(modulePath: string, base: tf.Tensor2D): tf.Tensor2D {
    const m = this.modules.get(modulePath);
    if (!m) throw new Error(`internal: no adapter on ${modulePath}`);
    return tf.tidy(() => tf.add(base, tf.mul(matMul<tf.Tensor2D>(m.b, m.a), this.scaling)) as tf.Tensor2D);
  }

  /** Run `fn` on the base model (adapters and trained copies off), e.g. the KL reference's log-probs. */
  withAdaptersDisabled<T>(fn: () => T): T {
    return this.during('enabled', false, fn);
  }

  /** Run `fn` with adapter dropout on (a training pass). */
  withDropout<T>(fn: () => T): T {
    return this.during('dropoutActive', true, fn);
  }

  private during<T>(flag: 'enabled' | 'dropoutActive', value: boolean, fn: () => T): T {
    const was = this[flag];
    this[flag] = value;
    try {
      return fn();
    } finally {
      this[flag] = was;
    }
  }

  /** The dropout counter, saved in checkpoints so a resumed run draws the same masks. */
  get dropoutState(): number {
    return this.dropoutCalls;
  }

  set dropoutState(n: number) {
    this.dropoutCalls = n;
  }

  dispose(): void {
    for (const v of this.variables().values()) v.dispose();
    this.modules.clear();
  }
}
