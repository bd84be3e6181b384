// Memory plan of an RL training step, for any model size, without weights and without arithmetic.
//
// The plan runs the real code (RLOOTrainer.trainStep: rollouts, rewards, scoring passes, gradient passes, AdamW)
// on the shape-only "meta" backend (@softcot/model meta-backend.ts) under a MemoryMeter, so it counts every
// buffer the step allocates, when it is alive, as the cpu backend does (to the byte: test in
// packages/model/test/memory.test.ts). The workload is the worst case: every CoT runs to its maximum length and
// every answer to its maximum length (a planning tokenizer with no stop token, 4 characters per token).
//
// Components are measured the same way, phase by phase: weights; adapters; optimizer state; a rollout of one
// rollout batch (KV caches, logits); one gradient pass of one micro-batch (activations kept for the backward pass,
// vocabulary-sized logits/log-prob buffers and their gradients), with and without activation checkpointing; and
// the whole step, whose peak is the plan's answer.
//
// What it does not see: the CUDA context and cuBLAS workspace, the caching allocator's rounding and cached free
// blocks, and kernel-internal scratch buffers. `fits` keeps a reserve for them (GPU_RESERVE).
import * as tf from '@tensorflow/tfjs';
import { MemoryMeter, META_BACKEND, registerMetaBackend, shapeOnlyModel, type CausalLM, type ChatMessage, type LoraOptions, type ModelConfig, type Tokenizer } from '@softcot/model';
import { GAUSSIAN_MODES, resolveCot, type CotMode, type CotSettings } from '@softcot/mixer';
import { rollout } from '@softcot/rollout';
import { paperPrompt, type Example } from '@softcot/data';
import { RLOOTrainer } from './trainer';
import type { RLOOConfig } from './config';
import { microBatchLoss } from './loss';
import { scoredSequence } from './logprobs';
import type { LikelihoodReward } from './rewards';
import type { MomentStorage } from './optimizer';

export interface PlanOptions {
  config: ModelConfig;
  /** LoRA adapters (else every parameter trains). */
  lora?: LoraOptions;
  activationCheckpointing?: boolean;
  /** The frozen base stored as packed bf16 (cpu/wasm), with LoRA. */
  frozenBf16?: boolean;
  /** Bytes of a float tensor on the backend: 4 (fp32), or 2 for a backend storing every float in bf16 (cuda 'bf16'). */
  floatBytes?: 4 | 2;
  optimizerMoments?: MomentStorage;
  mode?: CotMode;
  /** B */
  promptsPerStep?: number;
  /** G */
  samplesPerPrompt?: number;
  microBatch?: number;
  /** Rows per rollout call (default B·G). */
  rolloutBatch?: number;
  /** Prompt length in tokens (default 256). */
  promptTokens?: number;
  /** L (default 128). */
  maxCotTokens?: number;
  maxAnswerTokens?: number;
  reward?: 'verifier' | LikelihoodReward;
  klBeta?: number;
  ppoClip?: number;
}

export interface PlanComponent {
  name: string;
  bytes: number;
  /** Held for the whole run (weights, adapters, optimizer state) or only during a phase. */
  persistent: boolean;
  note?: string;
}

export interface MemoryPlan {
  options: Required<Omit<PlanOptions, 'lora' | 'klBeta' | 'ppoClip'>> & Pick<PlanOptions, 'lora' | 'klBeta' | 'ppoClip'>;
  components: PlanComponent[];
  /** Peak bytes of live tensors during one whole training step (persistent state included). */
  peak: number;
  /** Weights, adapters and optimizer state: held for the whole run. */
  persistentBytes: number;
  /** Optimizer state held in host memory (8-bit moments), not on the backend. */
  hostBytes: number;
}

/** Tokens: 4 characters each, no stop token, decoded as 'xxxx' (so no stop string and no closing brace appear). */
class PlanTokenizer implements Tokenizer {
  readonly bosTokenId = null;
  readonly eosTokenId = null;
  readonly padTokenId = 0;
  readonly stopTokenIds: number[] = [];
  readonly hasChatTemplate = false;
  constructor(readonly vocabSize: number) {}
  encode(text: string): number[] {
    return Array.from({ length: Math.ceil(text.length / 4) }, (_, i) => 1 + (i % (this.vocabSize - 1)));
  }
  decode(ids: number[]): string {
    return 'xxxx'.repeat(ids.length);
  }
  idToToken(): string {
    return 'xxxx';
  }
  applyChatTemplate(_: ChatMessage[]): string {
    throw new Error('PlanTokenizer has no chat template');
  }
  save(): void {
    throw new Error('PlanTokenizer is not saved');
  }
}

function resolvePlan(o: PlanOptions): MemoryPlan['options'] {
  const B = o.promptsPerStep ?? 2;
  const G = o.samplesPerPrompt ?? 32;
  return {
    config: o.config,
    lora: o.lora,
    activationCheckpointing: o.activationCheckpointing ?? false,
    frozenBf16: o.frozenBf16 ?? false,
    floatBytes: o.floatBytes ?? 4,
    optimizerMoments: o.optimizerMoments ?? 'float32',
    mode: o.mode ?? 'soft',
    promptsPerStep: B,
    samplesPerPrompt: G,
    microBatch: o.microBatch ?? 8,
    rolloutBatch: o.rolloutBatch ?? B * G,
    promptTokens: o.promptTokens ?? 256,
    maxCotTokens: o.maxCotTokens ?? 128,
    maxAnswerTokens: o.maxAnswerTokens ?? 32,
    reward: o.reward ?? 'verifier',
    klBeta: o.klBeta,
    ppoClip: o.ppoClip,
  };
}

/** Plan the memory of one training step with these options (runs on the meta backend; restores the backend). */
export async function planMemory(options: PlanOptions): Promise<MemoryPlan> {
  const o = resolvePlan(options);
  if (o.frozenBf16 && !o.lora) throw new Error('plan: a bf16 base (frozenBf16) needs LoRA');
  const previous = tf.getBackend();
  registerMetaBackend(o.floatBytes);
  await tf.setBackend(META_BACKEND);
  const meter = MemoryMeter.start();
  let model: CausalLM | null = null;
  let trainer: RLOOTrainer | null = null;
  try {
    const components: PlanComponent[] = [];
    const phase = <T>(fn: () => T): { result: T; bytes: number } => {
      const before = meter.live;
      const result = fn();
      return { result, bytes: meter.live - before };
    };
    const peakOf = async (fn: () => unknown): Promise<number> => {
      const base = meter.live;
      meter.resetPeak();
      await fn();
      return meter.peak - base;
    };

    model = phase(() => shapeOnlyModel(o.config, { frozenBf16: o.frozenBf16 })).result;
    components.push({ name: 'weights', bytes: meter.live, persistent: true, note: o.frozenBf16 ? 'matrices in bf16, E and norms fp32' : undefined });
    const m = model;
    if (o.lora) components.push({ name: 'adapters', bytes: phase(() => m.attachLora(o.lora)).bytes, persistent: true });

    const w = planWorkload(o);
    const { tokenizer, format, question, examples, policy } = w;
    const built = phase(() => new RLOOTrainer(w.trainerConfig(m)));
    trainer = built.result;
    const opt = trainer.optimizerStateBytes;
    components.push({ name: 'optimizer state', bytes: opt.device, persistent: true, note: opt.host > 0 ? `8-bit moments: ${formatBytes(opt.host)} in host memory` : undefined });
    const trainableBytes = [...m.trainableParams().values()].reduce((s, v) => s + v.size * o.floatBytes, 0);
    components.push({ name: 'gradient accumulators', bytes: trainableBytes, persistent: false, note: 'during the update: one per trainable tensor' });

    const t = trainer;
    // One micro-batch of full-length sequences, as the trainer scores them (the reference answer for likelihood
    // rewards), from a rollout of that many rows.
    const trajectories = rollout(m, tokenizer, new Array<string>(Math.min(o.microBatch, o.rolloutBatch)).fill(question), {
      cot: policy, format, maxCotTokens: o.maxCotTokens, maxAnswerTokens: o.maxAnswerTokens,
      answer: { greedy: false }, skipAnswer: o.reward !== 'verifier', seed: 0,
    });
    const scoredIds = o.reward === 'verifier' ? (t: (typeof trajectories)[number]) => t.answerIds : () => tokenizer.encode('1234}');
    const seqs = Array.from({ length: o.microBatch }, (_, i) => trajectories[i % trajectories.length]!).map((t) => scoredSequence(m, policy, t, scoredIds(t)));
    const seq = seqs[0]!;
    const gradientPass = (checkpointing: boolean) =>
      peakOf(() => {
        m.activationCheckpointing = checkpointing;
        const mb = { seqs, advantages: new Array<number>(o.microBatch).fill(1), ...(o.reward === 'jepo' ? { jepoWeights: new Array<number>(o.microBatch).fill(1) } : {}) };
        const scoring = { cot: policy, scoredTemperature: 1, padId: 0 };
        const { value, grads } = tf.variableGrads(
          () => microBatchLoss(m, mb, { scoring, scoredAreActions: o.reward === 'verifier', likelihood: o.reward === 'verifier' ? undefined : o.reward, normaliser: o.microBatch }),
          m.trainableVariables,
        );
        tf.dispose([value, ...Object.values(grads)]);
      });
    const withCkpt = await gradientPass(true);
    const without = await gradientPass(false);
    m.activationCheckpointing = o.activationCheckpointing;
    const tokens = seq.promptIds.length + seq.cotTokens.length + seq.prefillIds.length + seq.scoredIds.length;
    const logitRows = o.microBatch * (o.maxCotTokens + o.maxAnswerTokens);
    const vocabNote = `one [${logitRows}, ${o.config.vocabSize}] logits buffer is ${formatBytes(logitRows * o.config.vocabSize * o.floatBytes)}`;
    components.push({
      name: `gradient pass, micro-batch ${o.microBatch} × ${tokens} tokens, checkpointing ${o.activationCheckpointing ? 'on' : 'off'}`,
      bytes: o.activationCheckpointing ? withCkpt : without,
      persistent: false,
      note: vocabNote,
    });
    components.push({
      name: `  (same with checkpointing ${o.activationCheckpointing ? 'off' : 'on'})`,
      bytes: o.activationCheckpointing ? without : withCkpt,
      persistent: false,
    });

    // The whole step. Its rollout phase ends at the first forward pass without a KV cache (the scoring passes).
    const beforeStep = meter.live;
    const forward = m.forward;
    let rolloutPeak: number | null = null;
    m.forward = (input) => {
      if (rolloutPeak === null && !input.cache) rolloutPeak = meter.peak - beforeStep;
      return forward.call(m, input);
    };
    let stepPeak: number;
    try {
      stepPeak = await peakOf(() => t.trainStep(examples));
    } finally {
      m.forward = forward;
    }
    const rows = o.rolloutBatch;
    const kvBytes = 2 * o.config.numLayers * rows * o.config.numKvHeads * o.config.headDim * o.floatBytes * (o.promptTokens + o.maxCotTokens + 7 + o.maxAnswerTokens);
    const gradientIndex = components.findIndex((c) => c.name.startsWith('gradient pass'));
    components.splice(gradientIndex, 0, { name: `rollout of ${rows} rows`, bytes: rolloutPeak ?? stepPeak, persistent: false, note: `KV caches at full length ${formatBytes(kvBytes)}` });
    const persistent = components.filter((c) => c.persistent).reduce((s, c) => s + c.bytes, 0);
    return { options: o, components, peak: beforeStep + stepPeak, persistentBytes: persistent, hostBytes: opt.host };
  } finally {
    meter.stop();
    trainer?.dispose();
    model?.dispose();
    // tf.getBackend() is undefined before any backend was used.
    if (previous) await tf.setBackend(previous);
  }
}

/**
 * The step a plan describes, for any backend: the planning tokenizer and prompts, and the trainer configuration
 * (benchmarks/memory-plan.ts runs the same step for real to check the plan).
 */
export function planWorkload(options: PlanOptions) {
  const o = resolvePlan(options);
  const tokenizer = new PlanTokenizer(o.config.vocabSize);
  const format = paperPrompt({ instruction: '' });
  const question = 'q'.repeat(Math.max(1, 4 * o.promptTokens - format.render('').length));
  const examples: Example[] = Array.from({ length: o.promptsPerStep }, (_, i) => ({ id: `p${i}`, question, answer: '1234', row: {} }));
  // σ is given: on the meta backend E is all zeros, so γ·RMS(E) would be 0 (the shapes do not depend on σ).
  const cotSettings: CotSettings = { mode: o.mode, ...(GAUSSIAN_MODES.includes(o.mode) ? { sigma: 1 } : {}) };
  const trainerConfig = (model: CausalLM): RLOOConfig => ({
    model,
    tokenizer,
    format,
    cot: { ...cotSettings, maxTokens: o.maxCotTokens },
    reward: o.reward,
    promptsPerStep: o.promptsPerStep,
    samplesPerPrompt: o.samplesPerPrompt,
    microBatch: o.microBatch,
    rolloutBatch: o.rolloutBatch,
    maxAnswerTokens: o.maxAnswerTokens,
    steps: 1,
    lr: 1e-6,
    ...(o.lora ? { lora: o.lora } : {}),
    activationCheckpointing: o.activationCheckpointing,
    frozenBf16: o.frozenBf16,
    optimizerMoments: o.optimizerMoments,
    ...(o.klBeta ? { kl: { beta: o.klBeta } } : {}),
    ...(o.ppoClip ? { ppo: { clip: o.ppoClip } } : {}),
    progress: false,
  });
  return { options: o, tokenizer, format, question, examples, policy: resolveCot(cotSettings), trainerConfig };
}

export interface GpuSpec {
  name: string;
  /** Bytes the device reports as total memory. */
  bytes: number;
}

/** Total memory as nvidia-smi reports it (81559 MiB on an H100 80GB SXM, 143771 MiB on an H200). */
export const GPUS: readonly GpuSpec[] = [
  { name: 'H100 80GB', bytes: 81559 * 2 ** 20 },
  { name: 'H200 141GB', bytes: 143771 * 2 ** 20 },
];

/** Kept free on the GPU for what the plan does not see: CUDA context, cuBLAS workspace, allocator rounding and cache. */
export const GPU_RESERVE = { fixedBytes: 2 * 2 ** 30, fraction: 0.05 };

/** Does a plan's peak fit this GPU, with the reserve kept free? */
export function fits(peak: number, gpu: GpuSpec): boolean {
  return peak <= gpu.bytes * (1 - GPU_RESERVE.fraction) - GPU_RESERVE.fixedBytes;
}

export function formatBytes(b: number): string {
  if (Math.abs(b) >= 2 ** 30) return `${(b / 2 ** 30).toFixed(2)} GiB`;
  if (Math.abs(b) >= 2 ** 20) return `${(b / 2 ** 20).toFixed(1)} MiB`;
  if (Math.abs(b) >= 2 ** 10) return `${(b / 2 ** 10).toFixed(1)} KiB`;
  return `${b} B`;
}
