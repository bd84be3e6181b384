// RLOOTrainer: a config object plus a trainer class (TRL style).
//
//   const trainer = new RLOOTrainer({ model, tokenizer, cot: { mode: 'soft' }, reward: 'verifier', ... });
//   await trainer.train(dataset);
//
// One step: B prompts × G samples are rolled out with the current policy, rewarded, turned into
// group-relative advantages, and one AdamW update (per PPO epoch) is taken on the policy-gradient loss,
// accumulated over micro-batches so memory does not grow with B·G.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { CausalLM, Tokenizer } from '@softcot/model';
import { noiseSigma, resolveCot, type CotSettings, type ResolvedCot } from '@softcot/mixer';
import { rollout, type Trajectory } from '@softcot/rollout';
import { epochBatch, paperPrompt, type Example, type PromptFormat } from '@softcot/data';
import { verifierReward, type RewardFunction } from '@softcot/rewards';
import { computeAdvantages, mean, std, type Algorithm, ALGORITHMS } from './advantages';
import { AdamW, clipByGlobalNorm, globalNorm, learningRate } from './optimizer';
import { scoreSequences, type ScoredSequence, type ScoringSettings } from './logprobs';
import { entriesPerRow, microBatchLoss, type MicroBatch } from './loss';
import { isLikelihoodReward, jepoGroup, likelihoodValue, type LikelihoodReward } from './rewards';
import { latestCheckpoint, loadTrainingCheckpoint, saveBestModel, saveTrainingCheckpoint, type BestValidation } from './checkpointing';
import { MetricsLog, formatProgress, type StepMetrics } from './metrics';

export interface RLOOConfig {
  model: CausalLM;
  tokenizer: Tokenizer;
  /** CoT mode and its settings; maxTokens is L (default 128, the paper's GSM8K training length). */
  cot: CotSettings & { maxTokens?: number };
  /** 'verifier' (100/10/0 via the grader), a likelihood reward, or your own reward function. */
  reward: 'verifier' | LikelihoodReward | RewardFunction;
  format?: PromptFormat;
  algorithm?: Algorithm;
  /** REINFORCE baseline ('none' or batch 'mean'). */
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
   * and the reward measures the CoT alone (less variance).
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
  /** KL penalty to a frozen reference (off by default). The reference defaults to a copy of the initial model. */
  kl?: { beta: number; reference?: CausalLM };
  /** PPO-style ratio clipping, with `epochs` updates per batch of rollouts. */
  ppo?: { clip: number; epochs?: number };
  /** Where checkpoints and metrics go. Without it nothing is written. */
  outputDir?: string;
  saveEvery?: number;
  keepCheckpoints?: number;
  /** Resume from the latest checkpoint in outputDir if there is one (default true). */
  resume?: boolean;
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

export interface TrainResult {
  /** Metrics of the steps run in this call. */
  metrics: StepMetrics[];
  /** Last completed step (1-based count of steps done). */
  step: number;
  interrupted: boolean;
  /** With validation: the best score and its step (0 = the model before training). */
  best: BestValidation | null;
}

export class RLOOTrainer {
  readonly config: RLOOConfig;
  readonly cot: ResolvedCot;
  readonly format: PromptFormat;
  /** σ = γ·RMS(E) of the model as given to the constructor (the base model), fixed for the run. */
  sigma: number;
  private readonly optimizer: AdamW;
  private readonly rewardFn: RewardFunction | null;
  private readonly likelihood: LikelihoodReward | null;
  private reference: CausalLM | null = null;
  private step = 0;
  private best: BestValidation | null = null;
  private stopRequested = false;
  /** tfjs variable name -> Hugging Face parameter name. */
  private readonly hfNameOf: Map<string, string>;

  constructor(config: RLOOConfig) {
    validateConfig(config);
    this.config = config;
    this.cot = resolveCot(config.cot);
    this.format = config.format ?? paperPrompt();
    this.sigma = noiseSigma(config.model.embeddingMatrix, this.cot.noiseGamma);
    const [beta1, beta2] = config.adamBetas ?? [0.9, 0.999];
    this.optimizer = new AdamW(config.model.params, { beta1, beta2, weightDecay: config.weightDecay ?? 0 });
    this.likelihood = isLikelihoodReward(config.reward) ? config.reward : null;
    this.rewardFn = config.reward === 'verifier' ? verifierReward() : typeof config.reward === 'function' ? config.reward : null;
    this.hfNameOf = new Map([...config.model.params].map(([hf, v]) => [v.name, hf]));
    if (config.kl && config.kl.beta > 0) this.reference = config.kl.reference ?? cloneModel(config.model);
  }

  private get B() {
    return this.config.promptsPerStep ?? 2;
  }
  private get G() {
    return this.config.samplesPerPrompt ?? 32;
  }

  /** The examples of step `s` (0-based): a seeded permutation per epoch, so resuming needs no sampler state. */
  batchFor(dataset: Example[], s: number): Example[] {
    return epochBatch(dataset, this.B, s, this.config.seed ?? 0);
  }

  async train(dataset: Example[]): Promise<TrainResult> {
    if (dataset.length === 0) throw new Error('train: the dataset is empty');
    const c = this.config;
    const log = c.outputDir ? new MetricsLog(path.join(c.outputDir, 'metrics.jsonl')) : null;
    if (c.outputDir && (c.resume ?? true)) {
      const latest = latestCheckpoint(c.outputDir);
      if (latest) {
        const state = loadTrainingCheckpoint(latest, c.model, this.optimizer);
        this.step = state.step;
        this.sigma = state.sigma;
        // outputDir/best may be newer than this checkpoint (a run killed between the two writes); resume is
        // exact, so the same step writes the same model there again.
        this.best = state.best ?? null;
        if (c.progress ?? true) console.log(`resumed from ${latest} at step ${this.step}`);
      }
    }
    // Lines after the step we start from belong to an earlier, abandoned run (all of them for a fresh start).
    log?.truncateAfter(this.step);
    const onSigint = () => {
      if (this.stopRequested) process.exit(130);
      this.stopRequested = true;
      console.error('\ninterrupt: finishing this step and saving a checkpoint (Ctrl-C again to quit now)');
    };
    process.on('SIGINT', onSigint);
    const metrics: StepMetrics[] = [];
    try {
      // The starting model is the first candidate, so the best checkpoint is never worse than the base.
      if (c.validation && this.best === null) await this.validate();
      while (this.step < c.steps && !this.stopRequested) {
        const m = await this.trainStep(this.batchFor(dataset, this.step));
        this.step++;
        if (c.validation && (this.step % c.validation.every === 0 || this.step === c.steps)) m.validation = await this.validate();
        metrics.push(m);
        log?.append(m);
        if (c.progress ?? true) console.log(formatProgress(m, c.steps));
        c.onStep?.(m);
        // Let the event loop run (a step is synchronous tensor work): this is when a Ctrl-C gets delivered.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const every = c.saveEvery ?? 50;
        if (c.outputDir && (this.step % every === 0 || this.step === c.steps || this.stopRequested)) this.save();
      }
    } finally {
      process.off('SIGINT', onSigint);
    }
    return { metrics, step: this.step, interrupted: this.stopRequested, best: this.best };
  }

  /** Score the current policy; keep it as the best model if it beats the best so far. */
  private async validate(): Promise<number> {
    const value = await this.config.validation!.score(this.config.model);
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new Error(`validation.score returned ${String(value)} at step ${this.step}; it must return a finite number`);
    if (this.best === null || value > this.best.value) {
      this.best = { step: this.step, value };
      const { outputDir, model, tokenizer } = this.config;
      if (outputDir) saveBestModel(outputDir, { model, tokenizer, best: this.best });
    }
    if (this.config.progress ?? true) console.log(`validation at step ${this.step}: ${value.toFixed(4)} (best ${this.best.value.toFixed(4)} at step ${this.best.step})`);
    return value;
  }

  /** Write a checkpoint of the current state to outputDir (atomic). */
  save(): string {
    if (!this.config.outputDir) throw new Error('save: no outputDir configured');
    return saveTrainingCheckpoint(this.config.outputDir, {
      model: this.config.model,
      tokenizer: this.config.tokenizer,
      optimizer: this.optimizer,
      step: this.step,
      sigma: this.sigma,
      keep: this.config.keepCheckpoints ?? 2,
      ...(this.best ? { best: this.best } : {}),
    });
  }

  /** Request a graceful stop after the current step (what Ctrl-C does). */
  requestStop(): void {
    this.stopRequested = true;
  }

  private scoring(): ScoringSettings {
    return {
      mode: this.cot.mode,
      cotTemperature: this.cot.temperature,
      filter: this.cot.filter,
      sigma: this.sigma,
      scoredTemperature: this.likelihood || this.config.answerTemperature === 0 ? 1 : (this.config.answerTemperature ?? 1),
      padId: this.config.tokenizer.padTokenId ?? 0,
    };
  }

  async trainStep(examples: Example[]): Promise<StepMetrics> {
    const c = this.config;
    const t0 = performance.now();
    const G = this.G;
    const prompts = examples.flatMap((e) => new Array<string>(G).fill(e.question));
    const rows = prompts.length;
    const rolloutBatch = c.rolloutBatch ?? rows;
    const trajectories: Trajectory[] = [];
    for (let start = 0; start < rows; start += rolloutBatch) {
      trajectories.push(
        ...rollout(c.model, c.tokenizer, prompts.slice(start, start + rolloutBatch), {
          cot: c.cot,
          format: this.format,
          maxCotTokens: c.cot.maxTokens ?? 128,
          maxAnswerTokens: c.maxAnswerTokens ?? 32,
          answer: c.answerTemperature === 0 ? { greedy: true } : { greedy: false, temperature: c.answerTemperature ?? 1 },
          sigma: this.sigma,
          skipAnswer: this.likelihood !== null,
          seed: `${c.seed ?? 0}:rollout:${this.step}:${start}`,
        }),
      );
    }
    const tRollout = performance.now();

    const targets = this.likelihood ? examples.flatMap((e) => new Array<number[]>(G).fill(c.tokenizer.encode(this.format.answerTarget(e.answer), { addSpecialTokens: false }))) : null;
    const seqs: ScoredSequence[] = trajectories.map((t, i) => ({
      promptIds: t.promptIds,
      cotTokens: t.cotTokens,
      cotInputs: t.cotInputs,
      prefillIds: t.prefillIds,
      scoredIds: targets ? targets[i]! : t.answerIds,
    }));

    // A forward-only pass gives the old per-entry log-probs (PPO), the likelihood rewards, and the
    // reference log-probs (KL), before any parameter changes.
    const needOld = c.ppo !== undefined || this.likelihood !== null;
    const oldEntries = needOld ? this.entries(c.model, seqs) : undefined;
    const refEntries = this.reference ? this.entries(this.reference, seqs) : undefined;

    const groups = (xs: (number | null)[]) => examples.map((_, b) => xs.slice(b * G, (b + 1) * G));
    const { rewards, advantages, jepoWeights } = await this.rewardsAndAdvantages(examples, trajectories, targets, oldEntries);
    const tReward = performance.now();

    const { loss: lossValue, gradNorm, skipped, lr } = this.update(seqs, { advantages, oldEntries, refEntries, jepoWeights });
    const tEnd = performance.now();

    const valid = rewards.filter((r): r is number => r !== null);
    const groupRewards = groups(rewards).map((g) => g.filter((r): r is number => r !== null));
    const cotLengths = trajectories.map((t) => t.cotTokens.length);
    const tokens = trajectories.reduce((a, t) => a + t.cotTokens.length + t.prefillIds.length + t.answerIds.length, 0);
    const stopReasons: Record<string, number> = {};
    for (const t of trajectories) stopReasons[t.cotStop] = (stopReasons[t.cotStop] ?? 0) + 1;
    return {
      step: this.step + 1,
      loss: lossValue,
      rewardMean: mean(valid),
      rewardStd: std(valid),
      rewardNull: rewards.length - valid.length,
      zeroSpreadGroups: groupRewards.filter((g) => g.length > 0 && Math.max(...g) === Math.min(...g)).length / groupRewards.length,
      cotLengthMean: mean(cotLengths),
      stopReasons,
      entropyMean: mean(trajectories.flatMap((t) => t.entropies)),
      gradNorm,
      lr,
      tokensPerSecond: tokens / ((tRollout - t0) / 1000),
      stepSeconds: (tEnd - t0) / 1000,
      rolloutSeconds: (tRollout - t0) / 1000,
      rewardSeconds: (tReward - tRollout) / 1000,
      skipped,
    };
  }

  /** Rewards of every trajectory and their group-relative advantages (JEPO: also its R-term weights). */
  private async rewardsAndAdvantages(
    examples: Example[],
    trajectories: Trajectory[],
    targets: number[][] | null,
    oldEntries: number[][] | undefined,
  ): Promise<{ rewards: (number | null)[]; advantages: number[]; jepoWeights?: number[] }> {
    const c = this.config;
    const G = this.G;
    const groups = <T>(xs: T[]) => examples.map((_, b) => xs.slice(b * G, (b + 1) * G));
    const advantagesOf = (rewards: (number | null)[]) =>
      computeAdvantages(groups(rewards), { algorithm: c.algorithm ?? 'rloo', baseline: c.baseline }).flat();
    if (this.likelihood) {
      // Likelihood rewards come from the forward-only pass: the target's entries end each row.
      const targetLps = oldEntries!.map((row, i) => row.slice(row.length - targets![i]!.length));
      if (this.likelihood !== 'jepo') {
        const kind = this.likelihood;
        const rewards = targetLps.map((lps) => likelihoodValue(kind, lps));
        return { rewards, advantages: advantagesOf(rewards) };
      }
      const out = { rewards: [] as number[], advantages: [] as number[], jepoWeights: [] as number[] };
      for (const g of groups(targetLps.map((lps) => lps.reduce((a, b) => a + b, 0)))) {
        const j = jepoGroup(g);
        out.rewards.push(...g.map(() => j.reward));
        out.advantages.push(...j.advantages);
        out.jepoWeights.push(...j.weights);
      }
      return out;
    }
    const rewards = await Promise.all(
      trajectories.map((t, i) => {
        const ex = examples[Math.floor(i / G)]!;
        return this.rewardFn!({ prompt: ex.question, completion: t.completion, reference: ex.answer, row: ex.row });
      }),
    );
    for (const r of rewards)
      if (r !== null && (typeof r !== 'number' || !Number.isFinite(r)))
        throw new Error(`reward function returned ${String(r)}; it must return a finite number or null`);
    return { rewards, advantages: advantagesOf(rewards) };
  }

  /**
   * Gradient passes over micro-batches, one AdamW update per PPO epoch (one in plain REINFORCE/RLOO).
   * A non-finite loss or gradient norm skips the update and is reported.
   */
  private update(
    seqs: ScoredSequence[],
    signal: { advantages: number[]; oldEntries?: number[][]; refEntries?: number[][]; jepoWeights?: number[] },
  ): { loss: number; gradNorm: number; skipped: string | null; lr: number } {
    const c = this.config;
    const rows = seqs.length;
    const micro = c.microBatch ?? 8;
    const lr = learningRate(this.optimizer.step, { lr: c.lr, warmupSteps: c.warmupSteps ?? 20, totalSteps: c.steps, schedule: c.schedule, minLrRatio: c.minLrRatio });
    const pick = <T>(xs: T[] | undefined, idx: number[]) => xs && idx.map((i) => xs[i]!);
    let loss = 0;
    let gradNorm = 0;
    for (let epoch = 0; epoch < (c.ppo?.epochs ?? 1); epoch++) {
      const acc = new Map<string, tf.Tensor>();
      loss = 0;
      for (let start = 0; start < rows; start += micro) {
        const idx = range(start, Math.min(rows, start + micro));
        const mb: MicroBatch = {
          seqs: pick(seqs, idx)!,
          advantages: pick(signal.advantages, idx)!,
          oldEntries: pick(signal.oldEntries, idx),
          refEntries: pick(signal.refEntries, idx),
          jepoWeights: pick(signal.jepoWeights, idx),
        };
        const { value, grads } = tf.variableGrads(
          () =>
            microBatchLoss(c.model, mb, {
              scoring: this.scoring(),
              scoredAreActions: this.likelihood === null && c.answerTemperature !== 0,
              likelihood: this.likelihood ?? undefined,
              normaliser: rows,
              ppoClip: c.ppo?.clip,
              klBeta: c.kl?.beta,
            }),
          c.model.trainableVariables,
        );
        loss += value.dataSync()[0]!;
        value.dispose();
        for (const [varName, g] of Object.entries(grads)) {
          const name = this.hfNameOf.get(varName)!;
          const prev = acc.get(name);
          acc.set(name, prev ? tf.add(prev, g) : g);
          if (prev) tf.dispose([prev, g]);
        }
      }
      gradNorm = globalNorm(acc.values());
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
        const skipped = !Number.isFinite(loss) ? `non-finite loss (${loss})` : `non-finite gradient norm (${gradNorm})`;
        console.error(`step ${this.step + 1}: ${skipped}; update skipped`);
        tf.dispose([...acc.values()]);
        return { loss, gradNorm, skipped, lr };
      }
      const clipped = c.maxGradNorm === null ? acc : clipByGlobalNorm(acc, gradNorm, c.maxGradNorm ?? 1.0);
      this.optimizer.apply(clipped, lr);
      tf.dispose([...acc.values()]);
      if (clipped !== acc) tf.dispose([...clipped.values()]);
    }
    return { loss, gradNorm, skipped: null, lr };
  }

  /** Per-row entry log-probs (CoT then scored) under `model`, without gradients. */
  private entries(model: CausalLM, seqs: ScoredSequence[]): number[][] {
    const micro = this.config.microBatch ?? 8;
    const out: number[][] = [];
    for (let start = 0; start < seqs.length; start += micro) {
      const part = seqs.slice(start, start + micro);
      const [cot, scored, cotRow, scoredRow] = tf.tidy(() => {
        const e = scoreSequences(model, part, this.scoring());
        return [e.cot.dataSync() as Float32Array, e.scored.dataSync() as Float32Array, e.cotRow, e.scoredRow] as const;
      });
      out.push(...entriesPerRow(cot, cotRow, scored, scoredRow, part.length));
    }
    return out;
  }

  dispose(): void {
    this.optimizer.dispose();
    if (this.reference && this.reference !== this.config.kl?.reference) this.reference.dispose();
  }
}

function validateConfig(c: RLOOConfig): void {
  const posInt = (name: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw new Error(`RLOOTrainer: ${name} must be a positive integer, got ${v}`);
  };
  posInt('steps', c.steps);
  posInt('promptsPerStep', c.promptsPerStep);
  posInt('samplesPerPrompt', c.samplesPerPrompt);
  posInt('microBatch', c.microBatch);
  posInt('rolloutBatch', c.rolloutBatch);
  posInt('cot.maxTokens', c.cot.maxTokens);
  posInt('saveEvery', c.saveEvery);
  if (!(c.lr > 0) || !Number.isFinite(c.lr)) throw new Error(`RLOOTrainer: lr must be a positive number, got ${c.lr}`);
  if (c.algorithm && !ALGORITHMS.includes(c.algorithm)) throw new Error(`RLOOTrainer: algorithm must be one of ${ALGORITHMS.join(', ')}`);
  if (typeof c.reward !== 'function' && c.reward !== 'verifier' && !isLikelihoodReward(c.reward))
    throw new Error(`RLOOTrainer: reward must be 'verifier', one of logprob/avglogprob/prob/avgprob/jepo, or a function; got ${String(c.reward)}`);
  if (c.ppo && !(c.ppo.clip > 0 && c.ppo.clip < 1)) throw new Error(`RLOOTrainer: ppo.clip must be in (0, 1), got ${c.ppo.clip}`);
  if (c.validation) {
    if (!(Number.isInteger(c.validation.every) && c.validation.every >= 1))
      throw new Error(`RLOOTrainer: validation.every must be a positive integer, got ${c.validation.every}`);
    if (typeof c.validation.score !== 'function') throw new Error('RLOOTrainer: validation.score must be a function (model) => number');
  }
  if (c.kl && !(c.kl.beta >= 0)) throw new Error(`RLOOTrainer: kl.beta must be >= 0, got ${c.kl.beta}`);
  if (c.outputDir && fs.existsSync(c.outputDir) && !fs.statSync(c.outputDir).isDirectory())
    throw new Error(`RLOOTrainer: outputDir ${c.outputDir} exists and is not a directory`);
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}

/** A frozen copy of a model (for the KL reference). */
export function cloneModel(model: CausalLM): CausalLM {
  const Ctor = model.constructor as new (c: CausalLM['config'], t: Map<string, tf.Tensor>) => CausalLM;
  return new Ctor(model.config, new Map([...model.params].map(([k, v]) => [k, v.clone()])));
}
