// The memory options that the RL trainer and SFT share: LoRA adapters, bf16 storage of the frozen base, activation
// checkpointing, 8-bit optimizer moments. docs/memory.md says what each saves.
import { resolveLora, type CausalLM, type LoraOptions, type ResolvedLora } from '@softcot/model';
import { MOMENT_STORAGES, type MomentStorage } from './optimizer';

export interface TrainingMemoryOptions {
  /**
   * Train LoRA adapters instead of every weight (attached with these options unless the model already has
   * adapters, e.g. loaded with loadAdapter). The KL reference is then the base model with the adapters off.
   */
  lora?: LoraOptions;
  /** Recompute each transformer block in the backward pass instead of keeping its activations. */
  activationCheckpointing?: boolean;
  /** Store the frozen base matrices in bf16 (needs LoRA; cpu and wasm backends). */
  frozenBf16?: boolean;
  /** AdamW moments in fp32 (default) or blockwise 8-bit in host memory. */
  optimizerMoments?: MomentStorage;
}

export interface ResolvedTrainingMemory {
  /** Null: every parameter trains (or the model's own adapters, if it has some). */
  lora: ResolvedLora | null;
  activationCheckpointing: boolean;
  frozenBf16: boolean;
  optimizerMoments: MomentStorage;
}

/** Check and default the options; `fail` throws with the caller's prefix. */
export function resolveTrainingMemory(o: TrainingMemoryOptions, fail: (msg: string) => never): ResolvedTrainingMemory {
  let lora: ResolvedLora | null = null;
  if (o.lora) {
    try {
      lora = resolveLora(o.lora);
    } catch (e) {
      fail((e as Error).message);
    }
  }
  const moments = o.optimizerMoments ?? 'float32';
  if (!MOMENT_STORAGES.includes(moments)) fail(`optimizerMoments must be one of ${MOMENT_STORAGES.join(', ')}, got "${String(moments)}"`);
  return { lora, activationCheckpointing: o.activationCheckpointing ?? false, frozenBf16: o.frozenBf16 ?? false, optimizerMoments: moments };
}

/** Apply the options to the model before its optimizer is built. `seed` seeds the adapters' init and dropout. */
export function prepareModelForTraining(model: CausalLM, o: ResolvedTrainingMemory, seed: number): void {
  if (o.lora && !model.lora) model.attachLora({ ...o.lora, seed: o.lora.seed || seed });
  if (o.frozenBf16) {
    if (!model.lora) throw new Error('frozenBf16: storing the base in bf16 freezes it, so it needs LoRA adapters (lora option)');
    model.storeFrozenWeightsInBf16();
  }
  model.activationCheckpointing = o.activationCheckpointing;
}

/** Run a gradient pass with the adapters' dropout on (a training pass). */
export function trainingPass<T>(model: CausalLM, fn: () => T): T {
  return model.lora ? model.lora.withDropout(fn) : fn();
}
