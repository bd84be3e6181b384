// softcot plan: the memory of one RL training step, per component and at its peak, and whether it fits a GPU.
import * as fs from 'node:fs';
import { readModelConfig } from '@softcot/model';
import { COT_MODES } from '@softcot/mixer';
import { fits, formatBytes, GPU_RESERVE, GPUS, LIKELIHOOD_REWARDS, planMemory, type MemoryPlan } from '@softcot/trainer';
import { optChoice, optFloat, optInt, optString, parseFlags, UsageError, type Command } from '../args';
import { assertModelDir } from './inputs';
import { PRESETS, presetConfig } from './init';
import { MEMORY_HELP, MEMORY_OPTIONS, memoryOptionsFrom } from './memory-flags';

const REWARDS = ['verifier', ...LIKELIHOOD_REWARDS] as const;

const usage = `Usage: softcot plan (--model DIR | --preset NAME) [training options]

The memory of one training step (rollouts, scoring, gradient passes, AdamW update), computed by running the
trainer's own code on a shape-only backend: no weights are read and nothing is computed (an 8B plan with
B×G = 64 takes 2-3 minutes on a CPU, mostly the rollout's host work over the vocabulary). The workload is the worst case: every CoT and answer runs to its maximum length.
Prints each component, the peak, and whether it fits an H100 80GB / H200 141GB (keeping ${formatBytes(GPU_RESERVE.fixedBytes)} + ${GPU_RESERVE.fraction * 100}%
free for the CUDA context, cuBLAS workspace and allocator caching, which the plan does not see).

Options:
  --model DIR          a Hugging Face model folder (only config.json is read)
  --preset NAME        ${Object.keys(PRESETS).join(' | ')}
  --precision P        fp32 | bf16: bytes of every float tensor on the device (the cuda backend's storage
                       policy; default fp32)
  --mode M             ${COT_MODES.join(' | ')} (default soft)
  --reward R           ${REWARDS.join(' | ')} (default verifier)
  --prompts-per-step B (default 2)
  --samples G          (default 32)
  --micro-batch M      rows per gradient pass (default 8)
  --rollout-batch N    rows per rollout call (default B·G)
  --prompt-tokens N    prompt length (default 256)
  --max-cot L          (default 128)
  --max-answer N       (default 32)
  --kl-beta X          KL penalty (a reference model's passes; with LoRA no second copy of the weights)
${MEMORY_HELP}
  --json FILE          also write the plan as JSON
  -h, --help           show this help`;

export const planCommand: Command = {
  name: 'plan',
  usage,
  async run(argv, io) {
    const v = parseFlags(argv, {
      model: { type: 'string' }, preset: { type: 'string' }, precision: { type: 'string' }, mode: { type: 'string' }, reward: { type: 'string' },
      'prompts-per-step': { type: 'string' }, samples: { type: 'string' }, 'micro-batch': { type: 'string' }, 'rollout-batch': { type: 'string' },
      'prompt-tokens': { type: 'string' }, 'max-cot': { type: 'string' }, 'max-answer': { type: 'string' }, 'kl-beta': { type: 'string' },
      json: { type: 'string' }, ...MEMORY_OPTIONS,
    });
    if (!v) return (io.stdout(usage), 0);
    const modelDir = optString(v, 'model');
    const preset = optString(v, 'preset');
    if ((modelDir === undefined) === (preset === undefined)) throw new UsageError('give exactly one of --model DIR or --preset NAME');
    if (modelDir !== undefined) assertModelDir(modelDir);
    const config = modelDir !== undefined ? readModelConfig(modelDir) : presetConfig(preset!);
    const memory = memoryOptionsFrom(v);
    const precision = optChoice(v, 'precision', ['fp32', 'bf16'] as const, 'fp32');
    const klBeta = optFloat(v, 'kl-beta', { min: 0 });
    const plan = await planMemory({
      config,
      ...memory,
      floatBytes: precision === 'bf16' ? 2 : 4,
      mode: optChoice(v, 'mode', COT_MODES, 'soft'),
      reward: optChoice(v, 'reward', REWARDS, 'verifier'),
      promptsPerStep: optInt(v, 'prompts-per-step', { min: 1 }),
      samplesPerPrompt: optInt(v, 'samples', { min: 1 }),
      microBatch: optInt(v, 'micro-batch', { min: 1 }),
      rolloutBatch: optInt(v, 'rollout-batch', { min: 1 }),
      promptTokens: optInt(v, 'prompt-tokens', { min: 1 }),
      maxCotTokens: optInt(v, 'max-cot', { min: 1 }),
      maxAnswerTokens: optInt(v, 'max-answer', { min: 1 }),
      ...(klBeta ? { klBeta } : {}),
    });
    for (const line of planTable(plan, modelDir ?? `preset ${preset}`, precision)) io.stdout(line);
    const jsonFile = optString(v, 'json');
    if (jsonFile) fs.writeFileSync(jsonFile, JSON.stringify({ ...plan, options: { ...plan.options, config: undefined, model: modelDir ?? preset } }, null, 2) + '\n');
    return 0;
  },
};

/** The plan as printable lines. */
export function planTable(plan: MemoryPlan, model: string, precision: string): string[] {
  const o = plan.options;
  const c = o.config;
  const w = Math.max(...plan.components.map((x) => x.name.length));
  const lines = [
    `memory plan: ${model} (${c.modelType}, ${c.numLayers} layers, hidden ${c.hiddenSize}, vocab ${c.vocabSize}), ${precision} tensors`,
    `  ${o.mode} CoT, B×G = ${o.promptsPerStep}×${o.samplesPerPrompt}, micro-batch ${o.microBatch}, rollout batch ${o.rolloutBatch}, ` +
      `prompt ${o.promptTokens} + CoT ${o.maxCotTokens} + answer ${o.maxAnswerTokens} tokens, ` +
      `${o.lora ? `LoRA r=${o.lora.rank ?? 16}` : 'full fine-tuning'}${o.frozenBf16 ? ', bf16 base' : ''}, checkpointing ${o.activationCheckpointing ? 'on' : 'off'}, ` +
      `AdamW moments ${o.optimizerMoments}`,
    '',
    ...plan.components.map((x) => `  ${x.name.padEnd(w)}  ${formatBytes(x.bytes).padStart(11)}  ${x.persistent ? 'held' : '    '}  ${x.note ?? ''}`.trimEnd()),
    '',
    `  held for the whole run: ${formatBytes(plan.persistentBytes)}${plan.hostBytes > 0 ? ` (+ ${formatBytes(plan.hostBytes)} in host memory)` : ''}`,
    `  peak of a training step: ${formatBytes(plan.peak)}`,
    ...GPUS.map((g) => `  ${g.name}: ${fits(plan.peak, g) ? 'fits' : 'does not fit'} (${formatBytes(g.bytes)} total)`),
  ];
  return lines;
}
