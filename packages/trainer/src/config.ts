// The RL trainer's configuration: what a user writes (RLOOConfig), and the one place every default is decided
// (resolveTrainerConfig). The trainer, its checkpoints and run.json all read the resolved config.
import * as fs from 'node:fs';
import type { CausalLM, Tokenizer } from '@softcot/model';
import { checkMemory, hostMemoryBytes, LimitError, LIMITS, type MemoryBudget } from '@softcot/base';
import { kvCacheBytes, logitsBytes, SOFTCOT_VERSION, tensorMemoryBudget } from '@softcot/model';
import { embeddingRms, mixerFor, resolveCot, type CotPolicy, type CotSettings } from '@softcot/mixer';
import { paperPrompt, type PromptFormat } from '@softcot/data';
import { verifierReward, type RewardFunction } from '@softcot/rewards';
import { ALGORITHMS, type Algorithm } from './advantages';
import { isLikelihoodReward, LIKELIHOOD_REWARDS, type LikelihoodReward } from './rewards';
import type { StepMetrics } from './metrics';
import { resolveTrainingMemory, type ResolvedTrainingMemory, type TrainingMemoryOptions } from './training-memory';

export interface RLOOConfig extends TrainingMemoryOptions {
  model: CausalLM;
  tokenizer: Tokenizer;
  /** CoT mode and its settings; maxTokens is L (default 128, the paper's GSM8K training length). */
  cot: CotSettings & { maxTokens?: number };
  /** 'verifier' (100/10/0 via the grader), a likelihood reward, or your own reward function. */
  reward: 'verifier' | LikelihoodReward | RewardFunction;
  format?: PromptFormat;
  algorithm?: Algorithm;
  /** REINFORCE baseline ('none' or batch 'mean'); only with algorithm 'reinforce'. */
  baseline?: 'mean' | 'none';
  /** B: prompts per step (paper: 2). */
  promptsPerStep?: number;
  /** G: samples per prompt (paper: 32). */
  samplesPerPrompt?: number;
  /** Rows per gradient pass (gradient accumulation). Default 8. */
  microBatch?: number;
  /** Rows per rollout call. Default B·G. */
  rolloutBatch?: number;
  maxAnswerTokens?: number;
  /**
   * Temperature of sampled answer tokens; answers are then actions in the loss (method.md §3). Default 1.
   * 0 decodes answers greedily, as at evaluation: they are then deterministic given the CoT, not actions,
   * and the reward measures the CoT alone (less variance). Not used with likelihood rewards (no answer is sampled).
   */
  answerTemperature?: number;
  steps: number;
  lr: number;
  warmupSteps?: number;
  schedule?: 'cosine' | 'constant';
  minLrRatio?: number;
  weightDecay?: number;
  adamBetas?: [number, number];
  /** Clip the global gradient norm (the likelihood paper uses 1.0). null disables. */
  maxGradNorm?: number | null;
  /**
   * KL penalty to a frozen reference (off by default). The reference defaults to a copy of the initial model, or,
   * with LoRA, to the same model with its adapters off (no second copy of the weights).
   */
  kl?: { beta: number; reference?: CausalLM };
  /** PPO-style ratio clipping, with `epochs` updates per batch of rollouts. */
  ppo?: { clip: number; epochs?: number };
  /**
   * Log the cosine between the gradients of the batch's two halves (signal vs noise). It keeps a second gradient
   * buffer, so the default is on only up to GRADIENT_COSINE_MAX_PARAMS trainable parameters (then off).
   */
  gradientCosine?: boolean;
  /** Where checkpoints, metrics and run.json go. Without it nothing is written. */
  outputDir?: string;
  saveEvery?: number;
  keepCheckpoints?: number;
  /**
   * Resume from the latest checkpoint in outputDir (default true). A run whose settings differ from the saved
   * run.json is refused with the differences listed; 'force' resumes anyway; false starts afresh.
   */
  resume?: boolean | 'force';
  seed?: number;
  /** Print a progress line per step (default true). */
  progress?: boolean;
  onStep?: (m: StepMetrics) => void;
  /**
   * Validation, to keep the best checkpoint (method.md §3: the paper keeps the one with the best greedy validation).
   * `score` is called on the policy before the first step and every `every` steps (and after the last); higher is
   * better, e.g. greedy pass@1 on held-out problems with `pass1Scorer` from @softcot/eval. With outputDir the best
   * model so far is kept in outputDir/best; the score of each validated step goes into its metrics line.
   */
  validation?: { every: number; score: (model: CausalLM) => number | Promise<number> };
}

/**
 * What the tokens after the prefill are, decided once:
 *   sampled-answer  answers sampled at `temperature`; actions in the loss
 *   greedy-answer   answers decoded greedily; not actions, not scored (the reward measures the CoT alone)
 *   reference       no answer is sampled; the reference answer is scored for a likelihood reward
 */
export type ScoredTokens = { kind: 'sampled-answer'; temperature: number } | { kind: 'greedy-answer' } | { kind: 'reference'; reward: LikelihoodReward };

export type ResolvedReward = { kind: 'verifier'; fn: RewardFunction } | { kind: 'likelihood'; name: LikelihoodReward } | { kind: 'function'; fn: RewardFunction };

export interface ResolvedTrainerConfig {
  model: CausalLM;
  tokenizer: Tokenizer;
  format: PromptFormat;
  /** The CoT policy, σ included (from the model given, which is the base). */
  cot: CotPolicy;
  /** RMS(E) of the base model (the model given): σ = γ·RMS(E_base), saved with every checkpoint. */
  baseEmbeddingRms: number;
  maxCotTokens: number;
  maxAnswerTokens: number;
  reward: ResolvedReward;
  scored: ScoredTokens;
  algorithm: Algorithm;
  baseline: 'mean' | 'none' | null;
  promptsPerStep: number;
  samplesPerPrompt: number;
  microBatch: number;
  rolloutBatch: number;
  steps: number;
  lr: number;
  warmupSteps: number;
  schedule: 'cosine' | 'constant';
  minLrRatio: number;
  weightDecay: number;
  adamBetas: [number, number];
  maxGradNorm: number | null;
  kl: { beta: number; reference: CausalLM | null } | null;
  ppo: { clip: number; epochs: number } | null;
  gradientCosine: boolean;
  outputDir: string | null;
  saveEvery: number;
  keepCheckpoints: number;
  resume: boolean | 'force';
  seed: number;
  progress: boolean;
  onStep: ((m: StepMetrics) => void) | null;
  validation: { every: number; score: (model: CausalLM) => number | Promise<number> } | null;
  /** LoRA, bf16 base, activation checkpointing, 8-bit moments (training-memory.ts). */
  memory: ResolvedTrainingMemory;
}

/** Above this many trainable parameters the half-batch gradient cosine is off unless asked for (it doubles gradient memory). */
export const GRADIENT_COSINE_MAX_PARAMS = 100_000_000;

/** A bad option of RLOOTrainer: `options` names the options involved (the CLI maps them to its flags). */
export class TrainerConfigError extends LimitError {
  constructor(options: string[], detail: string) {
    super(`RLOOTrainer: ${detail}`, options);
    this.name = 'TrainerConfigError';
  }
}

/**
 * Largest values accepted for the count options (docs/reliability.md). Far above any useful run (the paper: 4000
 * steps, 2 prompts × 32 samples); a typo such as 1e12 steps or 10⁹ samples is refused before any work. What a step
 * holds in memory is checked as well (resolveTrainerConfig).
 */
export const TRAINER_LIMITS = {
  steps: LIMITS.steps,
  promptsPerStep: LIMITS.count,
  samplesPerPrompt: LIMITS.count,
  microBatch: LIMITS.count,
  rolloutBatch: LIMITS.count,
  'cot.maxTokens': LIMITS.tokens,
  maxAnswerTokens: LIMITS.tokens,
  warmupSteps: LIMITS.steps,
  saveEvery: LIMITS.steps,
  keepCheckpoints: LIMITS.count,
  'ppo.epochs': LIMITS.count,
  'validation.every': LIMITS.steps,
} as const;

/** Every default in one place; invalid or inert options are errors that name the option. */
export function resolveTrainerConfig(c: RLOOConfig): ResolvedTrainerConfig {
  const fail = (msg: string, options: string[] = []): never => {
    throw new TrainerConfigError(options, msg);
  };
  const posInt = (name: keyof typeof TRAINER_LIMITS, v: number | undefined, dflt: number): number => {
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) fail(`${name} must be a positive integer, got ${v}`, [name]);
    if (v !== undefined && v > TRAINER_LIMITS[name]) fail(`${name} is ${v}, more than the ${TRAINER_LIMITS[name]} accepted`, [name]);
    return v ?? dflt;
  };
  const nonNeg = (name: string, v: number | undefined, dflt: number): number => {
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) fail(`${name} must be a finite number >= 0, got ${v}`, [name]);
    return v ?? dflt;
  };
  if (!c.model || !c.tokenizer) fail('model and tokenizer are required');
  if (!c.cot || typeof c.cot !== 'object') fail("cot is required, e.g. { mode: 'soft' }");
  if (c.cot.greedy) fail('cot.greedy is an inference setting; a greedy policy has no randomness to train');
  const { maxTokens, ...cotSettings } = c.cot;
  let cot: CotPolicy;
  try {
    cot = resolveCot(cotSettings, { embeddings: c.model.embeddingMatrix });
  } catch (e) {
    return fail((e as Error).message);
  }

  let reward: ResolvedReward;
  // RL rewards read answers by the paper's marker rules (a closed, non-empty last box); docs/grader.md.
  if (c.reward === 'verifier') reward = { kind: 'verifier', fn: verifierReward({ extract: 'markers' }) };
  else if (isLikelihoodReward(c.reward)) reward = { kind: 'likelihood', name: c.reward };
  else if (typeof c.reward === 'function') reward = { kind: 'function', fn: c.reward };
  else return fail(`reward must be 'verifier', one of ${LIKELIHOOD_REWARDS.join('/')}, or a function; got ${String(c.reward)}`);

  const answerTemperature = nonNeg('answerTemperature', c.answerTemperature, 1);
  let scored: ScoredTokens;
  if (reward.kind === 'likelihood') {
    if (c.answerTemperature !== undefined) fail('answerTemperature does nothing with a likelihood reward (no answer is sampled)');
    scored = { kind: 'reference', reward: reward.name };
  } else scored = answerTemperature === 0 ? { kind: 'greedy-answer' } : { kind: 'sampled-answer', temperature: answerTemperature };

  const algorithm = c.algorithm ?? 'rloo';
  if (!ALGORITHMS.includes(algorithm)) fail(`algorithm must be one of ${ALGORITHMS.join(', ')}, got "${String(algorithm)}"`);
  if (c.baseline !== undefined && algorithm !== 'reinforce') fail(`baseline applies to algorithm 'reinforce' only (${algorithm} has its own baseline)`);
  if (c.baseline !== undefined && c.baseline !== 'mean' && c.baseline !== 'none') fail(`baseline must be 'mean' or 'none', got "${String(c.baseline)}"`);

  const promptsPerStep = posInt('promptsPerStep', c.promptsPerStep, 2);
  const samplesPerPrompt = posInt('samplesPerPrompt', c.samplesPerPrompt, 32);
  if (c.steps === undefined) fail('steps is required');
  const steps = posInt('steps', c.steps, 1);
  if (!(Number.isFinite(c.lr) && c.lr > 0)) fail(`lr must be a positive number, got ${c.lr}`, ['lr']);
  const schedule = c.schedule ?? 'cosine';
  if (schedule !== 'cosine' && schedule !== 'constant') fail(`schedule must be 'cosine' or 'constant', got "${String(schedule)}"`);
  const minLrRatio = nonNeg('minLrRatio', c.minLrRatio, 0);
  if (minLrRatio > 1) fail(`minLrRatio must be in [0, 1], got ${minLrRatio}`);
  const adamBetas = c.adamBetas ?? [0.9, 0.999];
  if (!(adamBetas.length === 2 && adamBetas.every((b) => b >= 0 && b < 1))) fail(`adamBetas must be two numbers in [0, 1), got ${JSON.stringify(adamBetas)}`);
  const maxGradNorm = c.maxGradNorm === undefined ? 1.0 : c.maxGradNorm;
  if (maxGradNorm !== null && !(maxGradNorm > 0 && Number.isFinite(maxGradNorm))) fail(`maxGradNorm must be a positive number or null, got ${maxGradNorm}`);
  if (c.kl && !(Number.isFinite(c.kl.beta) && c.kl.beta >= 0)) fail(`kl.beta must be >= 0, got ${c.kl.beta}`);
  if (c.ppo && !(c.ppo.clip > 0 && c.ppo.clip < 1)) fail(`ppo.clip must be in (0, 1), got ${c.ppo.clip}`);
  if (c.validation) {
    posInt('validation.every', c.validation.every, 1);
    if (typeof c.validation.score !== 'function') fail('validation.score must be a function (model) => number');
  }
  if (c.outputDir && fs.existsSync(c.outputDir) && !fs.statSync(c.outputDir).isDirectory()) fail(`outputDir ${c.outputDir} exists and is not a directory`);
  if (c.resume !== undefined && c.resume !== true && c.resume !== false && c.resume !== 'force') fail(`resume must be true, false or 'force', got ${String(c.resume)}`);
  if (c.seed !== undefined && !Number.isSafeInteger(c.seed)) fail(`seed must be an integer, got ${c.seed}`, ['seed']);

  if (c.warmupSteps !== undefined && !(Number.isInteger(c.warmupSteps) && c.warmupSteps >= 0 && c.warmupSteps <= TRAINER_LIMITS.warmupSteps))
    fail(`warmupSteps must be an integer in [0, ${TRAINER_LIMITS.warmupSteps}], got ${c.warmupSteps}`, ['warmupSteps']);
  const warmupSteps = c.warmupSteps ?? 20;
  const maxCotTokens = posInt('cot.maxTokens', maxTokens, 128);
  const maxAnswerTokens = posInt('maxAnswerTokens', c.maxAnswerTokens, 32);
  const rolloutBatch = posInt('rolloutBatch', c.rolloutBatch, promptsPerStep * samplesPerPrompt);
  const microBatch = posInt('microBatch', c.microBatch, 8);
  checkStepFits(c.model, cot, { promptsPerStep, samplesPerPrompt, rolloutBatch, microBatch, maxCotTokens, maxAnswerTokens });

  return {
    model: c.model,
    tokenizer: c.tokenizer,
    format: c.format ?? paperPrompt(),
    cot,
    baseEmbeddingRms: embeddingRms(c.model.embeddingMatrix),
    maxCotTokens,
    maxAnswerTokens,
    reward,
    scored,
    algorithm,
    baseline: algorithm === 'reinforce' ? (c.baseline ?? 'none') : null,
    promptsPerStep,
    samplesPerPrompt,
    microBatch,
    rolloutBatch,
    steps,
    lr: c.lr,
    warmupSteps,
    schedule,
    minLrRatio,
    weightDecay: nonNeg('weightDecay', c.weightDecay, 0),
    adamBetas: [adamBetas[0], adamBetas[1]],
    maxGradNorm,
    kl: c.kl && c.kl.beta > 0 ? { beta: c.kl.beta, reference: c.kl.reference ?? null } : null,
    ppo: c.ppo ? { clip: c.ppo.clip, epochs: posInt('ppo.epochs', c.ppo.epochs, 1) } : null,
    gradientCosine: c.gradientCosine ?? c.model.trainableVariables.reduce((n, v) => n + v.size, 0) <= GRADIENT_COSINE_MAX_PARAMS,
    outputDir: c.outputDir ?? null,
    saveEvery: posInt('saveEvery', c.saveEvery, 50),
    keepCheckpoints: posInt('keepCheckpoints', c.keepCheckpoints, 2),
    resume: c.resume ?? true,
    seed: c.seed ?? 0,
    progress: c.progress ?? true,
    onStep: c.onStep ?? null,
    validation: c.validation ?? null,
    memory: resolveTrainingMemory(c, fail),
  };
}

/**
 * Refuse a step that cannot fit, before any work (lower bounds of its largest buffers; docs/reliability.md):
 * the context (CoT + answer positions within max_position_embeddings), the KV cache of one rollout call, the
 * recorded CoT inputs of all B·G rows, and the logits of one micro-batch.
 */
function checkStepFits(
  model: CausalLM,
  cot: CotPolicy,
  s: { promptsPerStep: number; samplesPerPrompt: number; rolloutBatch: number; microBatch: number; maxCotTokens: number; maxAnswerTokens: number },
): void {
  const mc = model.config;
  const positions = s.maxCotTokens + s.maxAnswerTokens;
  if (positions >= mc.maxPositionEmbeddings)
    throw new TrainerConfigError(
      ['cot.maxTokens', 'maxAnswerTokens'],
      `cot.maxTokens ${s.maxCotTokens} + maxAnswerTokens ${s.maxAnswerTokens} leave no room for a prompt in the model's ${mc.maxPositionEmbeddings} positions (max_position_embeddings)`,
    );
  const rows = s.promptsPerStep * s.samplesPerPrompt;
  const rolloutRows = Math.min(s.rolloutBatch, rows);
  const widths = mixerFor(cot).widths(cot, mc.hiddenSize);
  const fits = (options: string[], what: string, bytes: number, budget: MemoryBudget) => checkMemory(what, bytes, budget, options);
  const rowsText = `promptsPerStep ${s.promptsPerStep} × samplesPerPrompt ${s.samplesPerPrompt}`;
  fits(['promptsPerStep', 'samplesPerPrompt', 'rolloutBatch', 'cot.maxTokens'], `a rollout of ${rolloutRows} rows (${rowsText}, at most rolloutBatch ${s.rolloutBatch} at once) × ${positions} positions (cot.maxTokens + maxAnswerTokens): its KV cache`, kvCacheBytes(mc, rolloutRows, positions), tensorMemoryBudget());
  fits(['promptsPerStep', 'samplesPerPrompt', 'cot.maxTokens'], `the recorded CoT of ${rows} rows (${rowsText}) × cot.maxTokens ${s.maxCotTokens}`, rows * s.maxCotTokens * (widths.ids + widths.values) * 4, { bytes: hostMemoryBytes(), name: 'this machine' });
  fits(['microBatch', 'cot.maxTokens'], `a micro-batch of ${Math.min(s.microBatch, rows)} rows (microBatch) × ${positions} scored positions: its logits`, logitsBytes(mc, Math.min(s.microBatch, rows), positions), tensorMemoryBudget());
}

/**
 * The settings that define a run's trajectory, as JSON (run.json): everything but the model's weights, callbacks and
 * where output goes. Two runs with equal settings from the same base and data produce the same metrics.
 */
export function runSettings(r: ResolvedTrainerConfig): Record<string, unknown> {
  return {
    softcotVersion: SOFTCOT_VERSION,
    model: { modelType: r.model.config.modelType, vocabSize: r.model.config.vocabSize, hiddenSize: r.model.config.hiddenSize, numLayers: r.model.config.numLayers },
    prompt: { name: r.format.name, template: r.format.render('{question}') },
    cot: r.cot,
    baseEmbeddingRms: r.baseEmbeddingRms,
    maxCotTokens: r.maxCotTokens,
    maxAnswerTokens: r.maxAnswerTokens,
    reward: r.reward.kind === 'likelihood' ? r.reward.name : r.reward.kind,
    scored: r.scored,
    algorithm: r.algorithm,
    baseline: r.baseline,
    promptsPerStep: r.promptsPerStep,
    samplesPerPrompt: r.samplesPerPrompt,
    microBatch: r.microBatch,
    rolloutBatch: r.rolloutBatch,
    steps: r.steps,
    lr: r.lr,
    warmupSteps: r.warmupSteps,
    schedule: r.schedule,
    minLrRatio: r.minLrRatio,
    weightDecay: r.weightDecay,
    adamBetas: r.adamBetas,
    maxGradNorm: r.maxGradNorm,
    kl: r.kl ? { beta: r.kl.beta, reference: r.kl.reference ? 'given' : r.memory.lora ? 'adapters off' : 'initial model' } : null,
    ppo: r.ppo,
    gradientCosine: r.gradientCosine,
    seed: r.seed,
    validation: r.validation ? { every: r.validation.every } : null,
    // Activation checkpointing changes no value (bit-identical gradients), so a resumed run may switch it.
    lora: r.memory.lora,
    frozenBf16: r.memory.frozenBf16,
    optimizerMoments: r.memory.optimizerMoments,
  };
}

/** Fields that differ between two run.json settings objects, as "path: old → new" lines. */
export function settingsDiff(saved: unknown, current: unknown, at = ''): string[] {
  if (JSON.stringify(saved) === JSON.stringify(current)) return [];
  const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
  if (isObj(saved) && isObj(current)) {
    const keys = [...new Set([...Object.keys(saved), ...Object.keys(current)])];
    return keys.flatMap((k) => (k === 'softcotVersion' ? [] : settingsDiff(saved[k], current[k], at ? `${at}.${k}` : k)));
  }
  return [`${at}: ${JSON.stringify(saved)} → ${JSON.stringify(current)}`];
}
