// The memory flags that train and plan share: LoRA, activation checkpointing, bf16 base, 8-bit AdamW moments.
import { LORA_TARGETS, type LoraTarget } from '@softcot/model';
import type { TrainingMemoryOptions } from '@softcot/trainer';
import { optFloat, optInt, UsageError, type OptionSpec } from '../args';

export const MEMORY_OPTIONS: OptionSpec = {
  'lora-rank': { type: 'string' },
  'lora-alpha': { type: 'string' },
  'lora-dropout': { type: 'string' },
  'lora-targets': { type: 'string' },
  'lora-train-embeddings': { type: 'boolean' },
  'lora-train-lm-head': { type: 'boolean' },
  checkpointing: { type: 'boolean' },
  'bf16-base': { type: 'boolean' },
  'adam-8bit': { type: 'boolean' },
};

export const MEMORY_HELP = `  --lora-rank R        train LoRA adapters of rank R instead of every weight (base frozen; the KL
                       reference is the base with the adapters off)
  --lora-alpha A       LoRA scale α (update scaled by α/R; default 2·R)
  --lora-dropout P     dropout on the adapters' input in gradient passes (default 0)
  --lora-targets LIST  comma-separated q,k,v,o,gate,up,down (or q_proj,...; default all seven)
  --lora-train-embeddings  also train a full copy of E (input embeddings, the p·E mixtures, a tied head)
  --lora-train-lm-head     also train a full copy of the LM head (E itself when tied)
  --checkpointing      activation checkpointing: recompute each block in the backward pass
  --bf16-base          keep the frozen base matrices in bf16 (needs --lora-rank; cpu/wasm backends)
  --adam-8bit          AdamW moments in blockwise 8-bit, in host memory`;

/** The memory options the flags ask for; LoRA-only flags without --lora-rank are usage errors. */
export function memoryOptionsFrom(v: Record<string, unknown>): TrainingMemoryOptions {
  const rank = optInt(v, 'lora-rank', { min: 1 });
  const loraOnly = ['lora-alpha', 'lora-dropout', 'lora-targets', 'lora-train-embeddings', 'lora-train-lm-head', 'bf16-base'].filter((f) => v[f] !== undefined);
  if (rank === undefined && loraOnly.length > 0) throw new UsageError(`--${loraOnly[0]} needs --lora-rank (LoRA adapters)`);
  const alpha = optFloat(v, 'lora-alpha', { positive: true });
  const dropout = optFloat(v, 'lora-dropout', { min: 0 });
  if (dropout !== undefined && dropout >= 1) throw new UsageError(`flag --lora-dropout must be in [0, 1), got "${String(v['lora-dropout'])}"`);
  let targets: LoraTarget[] | undefined;
  if (typeof v['lora-targets'] === 'string') {
    targets = v['lora-targets'].split(',').map((t) => t.trim()).filter(Boolean).map((t) => {
      const name = t.endsWith('_proj') ? t : `${t}_proj`;
      if (!(LORA_TARGETS as readonly string[]).includes(name)) throw new UsageError(`flag --lora-targets: unknown layer "${t}" (choose from q, k, v, o, gate, up, down)`);
      return name as LoraTarget;
    });
    if (targets.length === 0) throw new UsageError('flag --lora-targets needs at least one layer');
  }
  return {
    ...(rank !== undefined
      ? {
          lora: {
            rank,
            ...(alpha !== undefined ? { alpha } : {}),
            ...(dropout !== undefined ? { dropout } : {}),
            ...(targets ? { targets } : {}),
            ...(v['lora-train-embeddings'] ? { trainEmbeddings: true } : {}),
            ...(v['lora-train-lm-head'] ? { trainLmHead: true } : {}),
          },
        }
      : {}),
    ...(v.checkpointing ? { activationCheckpointing: true } : {}),
    ...(v['bf16-base'] ? { frozenBf16: true } : {}),
    ...(v['adam-8bit'] ? { optimizerMoments: 'int8' as const } : {}),
  };
}
