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
import { lockFolder, mean, readJsonFile, std, writeJsonAtomic } from '@softcot/base';
import type { CausalLM } from '@softcot/model';
import { rollout, type Trajectory } from '@softcot/rollout';
import { epochBatch, type Example } from '@softcot/data';
import { computeAdvantages } from './advantages';
import { AdamW, learningRate } from './optimizer';
import { scoreSequences, scoredSequence, type ScoredSequence, type ScoringSettings } from './logprobs';
import { entriesPerRow, microBatchLoss, type LossSettings, type MicroBatch } from './loss';
import { jepoGroup, likelihoodValue } from './rewards';
import { cleanRunFolder, latestCheckpoint, loadTrainingCheckpoint, saveBestModel, saveTrainingCheckpoint, type BestValidation } from './checkpointing';
import { MetricsLog, formatProgress, type StepMetrics } from './metrics';
import { resolveTrainerConfig, runSettings, settingsDiff, type RLOOConfig, type ResolvedTrainerConfig } from './config';
import { accumulateGradients, applyUpdate, gradientCosine, paramNames } from './update';
import { prepareModelForTraining, trainingPass } from './training-memory';

export interface TrainResult {
  /** Metrics of the steps run in this call. */
  metrics: StepMetrics[];
  /** Last completed step (1-based count of steps done). */
  step: number;
  interrupted: boolean;
  /** The signal that interrupted the run (SIGINT, SIGTERM), or null (not interrupted, or requestStop()). */
  signal: NodeJS.Signals | null;
  /** With validation: the best score and its step (0 = the model before training). */
  best: BestValidation | null;
}

export const RUN_SETTINGS_FILE = 'run.json';

export class RLOOTrainer {
  /** The resolved configuration: every default applied, the CoT policy (with σ from the base model) fixed. */
  readonly config: ResolvedTrainerConfig;
  private readonly optimizer: AdamW;
  private readonly scoring: ScoringSettings;
  private readonly loss: Omit<LossSettings, 'normaliser'>;
  /** The KL reference: another model, or 'adapters-off' (the policy's base, LoRA). */
  private reference: CausalLM | 'adapters-off' | null = null;
  private step = 0;
  private best: BestValidation | null = null;
  private stopRequested = false;
  private stopSignal: NodeJS.Signals | null = null;
  /** tfjs variable name -> Hugging Face parameter name. */
  private readonly paramNameOf: Map<string, string>;

  constructor(config: RLOOConfig) {
    const c = resolveTrainerConfig(config);
    this.config = c;
    prepareModelForTraining(c.model, c.memory, c.seed);
    const trainable = c.model.trainableParams();
    const [beta1, beta2] = c.adamBetas;
    this.optimizer = new AdamW(trainable, { beta1, beta2, weightDecay: c.weightDecay, moments: c.memory.optimizerMoments });
    this.paramNameOf = paramNames(trainable);
    this.scoring = { cot: c.cot, scoredTemperature: c.scored.kind === 'sampled-answer' ? c.scored.temperature : 1, padId: c.tokenizer.padTokenId ?? 0 };
    this.loss = {
      scoring: this.scoring,
      scoredAreActions: c.scored.kind === 'sampled-answer',
      likelihood: c.scored.kind === 'reference' ? c.scored.reward : undefined,
      ppoClip: c.ppo?.clip,
      klBeta: c.kl?.beta,
    };
    if (c.kl) this.reference = c.kl.reference ?? (c.model.lora ? 'adapters-off' : cloneModel(c.model));
  }

  private get B() {
    return this.config.promptsPerStep;
  }
  private get G() {
    return this.config.samplesPerPrompt;
  }

  /** The examples of step `s` (0-based): a seeded permutation per epoch, so resuming needs no sampler state. */
  batchFor(dataset: Example[], s: number): Example[] {
    return epochBatch(dataset, this.B, s, this.config.seed);
  }

  async train(dataset: Example[]): Promise<TrainResult> {
    if (dataset.length === 0) throw new Error('train: the dataset is empty');
    const c = this.config;
    // One writer per run folder; a lock left by a dead process is taken over.
    const lock = c.outputDir ? lockFolder(c.outputDir, 'softcot training run') : null;
    try {
      if (lock?.recovered) console.error(`${lock.file}: took over the lock of pid ${lock.recovered.pid}, which is no longer running`);
      return await this.trainLocked(dataset);
    } finally {
      lock?.release();
    }
  }

  private async trainLocked(dataset: Example[]): Promise<TrainResult> {
    const c = this.config;
    if (c.outputDir) {
      // What interrupted writes left (temporary checkpoint folders, files) goes before anything is read.
      const leftovers = cleanRunFolder(c.outputDir);
      if (leftovers.length > 0) console.error(`${c.outputDir}: removed what an interrupted run left: ${leftovers.join(', ')}`);
    }
    const log = c.outputDir ? new MetricsLog(path.join(c.outputDir, 'metrics.jsonl')) : null;
    if (c.outputDir) this.checkRunSettings(c.outputDir);
    if (c.outputDir && c.resume !== false) {
      const latest = latestCheckpoint(c.outputDir);
      if (latest) {
        const state = loadTrainingCheckpoint(latest, c.model, this.optimizer);
        this.step = state.step;
        // outputDir/best may be newer than this checkpoint (a run killed between the two writes); resume is
        // exact, so the same step writes the same model there again.
        this.best = state.best ?? null;
        if (c.progress) console.log(`resumed from ${latest} at step ${this.step}`);
      }
    }
    // Lines after the step we start from belong to an earlier, abandoned run (all of them for a fresh start).
    const repaired = log?.truncateAfter(this.step);
    if (repaired) console.error(repaired);
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.stopRequested) process.exit(signal === 'SIGINT' ? 130 : 143);
      this.stopRequested = true;
      this.stopSignal = signal;
      console.error(`\n${signal}: finishing this step and saving a checkpoint (${signal === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again to quit now)`);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
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
        if (c.progress) console.log(formatProgress(m, c.steps));
        c.onStep?.(m);
        // Let the event loop run (a step is synchronous tensor work): this is when a signal gets delivered.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (c.outputDir && (this.step % c.saveEvery === 0 || this.step === c.steps || this.stopRequested)) this.save();
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    return { metrics, step: this.step, interrupted: this.stopRequested, signal: this.stopSignal, best: this.best };
  }

  /**
   * outputDir/run.json holds the settings of the run that owns the folder. A resumed run must have the same
   * settings (the differences are listed), unless resume is 'force'; a fresh run writes its own.
   */
  private checkRunSettings(outputDir: string): void {
    const c = this.config;
    const file = path.join(outputDir, RUN_SETTINGS_FILE);
    const current = runSettings(c);
    if (c.resume !== false && fs.existsSync(file) && latestCheckpoint(outputDir)) {
      const saved = readJsonFile(file, { what: 'run settings file' });
      const diff = settingsDiff(saved, current);
      if (diff.length > 0) {
        const list = diff.join('; ');
        if (c.resume !== 'force')
          throw new Error(`${file}: the run in ${outputDir} has other settings (${list}); resume with the same settings, force it (resume: 'force', --force-resume), or use another output folder`);
        console.error(`${file}: resuming with other settings (forced): ${list}`);
      }
    }
    writeJsonAtomic(file, current);
  }

  /** Score the current policy; keep it as the best model if it beats the best so far. */
  private async validate(): Promise<number> {
    const c = this.config;
    const value = await c.validation!.score(c.model);
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new Error(`validation.score returned ${String(value)} at step ${this.step}; it must return a finite number`);
    if (this.best === null || value > this.best.value) {
      this.best = { step: this.step, value };
      if (c.outputDir) saveBestModel(c.outputDir, { model: c.model, tokenizer: c.tokenizer, best: this.best, cot: this.savedCot() });
    }
    if (c.progress) console.log(`validation at step ${this.step}: ${value.toFixed(4)} (best ${this.best.value.toFixed(4)} at step ${this.best.step})`);
    return value;
  }

  /** What every saved model folder records of the CoT it was trained with (softcot_config.json). */
  savedCot() {
    const c = this.config;
    return { cot: c.cot, baseEmbeddingRms: c.baseEmbeddingRms, maxCotTokens: c.maxCotTokens, prompt: { name: c.format.name, template: c.format.render('{question}') } };
  }

  /** Write a checkpoint of the current state to outputDir (atomic). */
  save(): string {
    const c = this.config;
    if (!c.outputDir) throw new Error('save: no outputDir configured');
    return saveTrainingCheckpoint(c.outputDir, {
      model: c.model,
      tokenizer: c.tokenizer,
      optimizer: this.optimizer,
      step: this.step,
      cot: this.savedCot(),
      keep: c.keepCheckpoints,
      ...(this.best ? { best: this.best } : {}),
    });
  }

  /** Bytes of optimizer state on the backend and in host memory (8-bit moments). */
  get optimizerStateBytes(): { device: number; host: number } {
    return this.optimizer.stateBytes;
  }

  /** Request a graceful stop after the current step (what Ctrl-C does). */
  requestStop(): void {
    this.stopRequested = true;
  }

  async trainStep(examples: Example[]): Promise<StepMetrics> {
    const c = this.config;
    const t0 = performance.now();
    const G = this.G;
    const prompts = examples.flatMap((e) => new Array<string>(G).fill(e.question));
    const rows = prompts.length;
    const trajectories: Trajectory[] = [];
    for (let start = 0; start < rows; start += c.rolloutBatch) {
      trajectories.push(
        ...rollout(c.model, c.tokenizer, prompts.slice(start, start + c.rolloutBatch), {
          cot: c.cot,
          format: c.format,
          maxCotTokens: c.maxCotTokens,
          maxAnswerTokens: c.maxAnswerTokens,
          answer: c.scored.kind === 'sampled-answer' ? { greedy: false, temperature: c.scored.temperature } : { greedy: true },
          skipAnswer: c.scored.kind === 'reference',
          seed: `${c.seed}:rollout:${this.step}:${start}`,
        }),
      );
    }
    const tRollout = performance.now();

    // What is scored after the prefill: the sampled answer, nothing (greedy answers), or the reference answer.
    const targets = c.scored.kind === 'reference' ? examples.map((e) => c.tokenizer.encode(c.format.answerTarget(e.answer), { addSpecialTokens: false })) : null;
    const seqs: ScoredSequence[] = trajectories.map((t, i) =>
      scoredSequence(c.model, c.cot, t, targets ? targets[Math.floor(i / G)]! : c.scored.kind === 'sampled-answer' ? t.answerIds : []),
    );

    // A forward-only pass gives the old per-entry log-probs (PPO), the likelihood rewards, and the
    // reference log-probs (KL), before any parameter changes.
    const oldEntries = c.ppo || targets ? this.entries(c.model, seqs) : undefined;
    const refEntries = this.referenceEntries(seqs);

    const { rewards, advantages, jepoWeights } = await this.rewardsAndAdvantages(examples, trajectories, targets, oldEntries);
    const tReward = performance.now();

    const update = this.update(seqs, { advantages, oldEntries, refEntries, jepoWeights });
    const tEnd = performance.now();

    const valid = rewards.filter((r): r is number => r !== null);
    const groupRewards = examples.map((_, b) => rewards.slice(b * G, (b + 1) * G).filter((r): r is number => r !== null));
    const cotLengths = trajectories.map((t) => t.cotTokens.length);
    const tokens = trajectories.reduce((a, t) => a + t.cotTokens.length + t.prefillIds.length + t.answerIds.length, 0);
    const stopReasons: Record<string, number> = {};
    for (const t of trajectories) stopReasons[t.cotStop] = (stopReasons[t.cotStop] ?? 0) + 1;
    // For the verifier reward (100 = correct): how many of the CoTs that reached the stop string were right.
    const finished = trajectories.flatMap((t, i) => (t.cotStop === 'stop-string' ? [rewards[i]] : []));
    const finishedCorrect = c.reward.kind === 'verifier' && finished.length > 0 ? finished.filter((r) => r === 100).length / finished.length : null;
    return {
      step: this.step + 1,
      loss: update.loss,
      rewardMean: mean(valid),
      rewardStd: std(valid),
      rewardNull: rewards.length - valid.length,
      zeroSpreadGroups: groupRewards.filter((g) => g.length > 0 && Math.max(...g) === Math.min(...g)).length / groupRewards.length,
      finishedCorrect,
      gradientCosine: update.cosine,
      cotLengthMean: mean(cotLengths),
      stopReasons,
      entropyMean: mean(trajectories.flatMap((t) => t.entropies)),
      gradNorm: update.gradNorm,
      lr: update.lr,
      tokensPerSecond: tokens / ((tRollout - t0) / 1000),
      stepSeconds: (tEnd - t0) / 1000,
      rolloutSeconds: (tRollout - t0) / 1000,
      rewardSeconds: (tReward - tRollout) / 1000,
      skipped: update.skipped,
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
      computeAdvantages(groups(rewards), { algorithm: c.algorithm, ...(c.baseline ? { baseline: c.baseline } : {}) }).flat();
    if (c.reward.kind === 'likelihood') {
      // Likelihood rewards come from the forward-only pass: the target's entries end each row.
      const targetLps = oldEntries!.map((row, i) => row.slice(row.length - targets![Math.floor(i / G)]!.length));
      const kind = c.reward.name;
      if (kind !== 'jepo') {
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
    const fn = c.reward.fn;
    const rewards = await Promise.all(
      trajectories.map((t, i) => {
        const ex = examples[Math.floor(i / G)]!;
        return fn({ prompt: ex.question, promptText: c.format.render(ex.question), completion: t.completion, reference: ex.answer, row: ex.row });
      }),
    );
    for (const r of rewards)
      if (r !== null && (typeof r !== 'number' || !Number.isFinite(r)))
        throw new Error(`reward function returned ${String(r)}; it must return a finite number or null`);
    return { rewards, advantages: advantagesOf(rewards) };
  }

  /**
   * Gradient passes over micro-batches, one AdamW update per PPO epoch (one in plain REINFORCE/RLOO).
   * A non-finite loss or gradient norm skips the update and is reported. With gradientCosine, the first and the
   * second half of the rows accumulate separately (micro-batches never straddle the halves), and the cosine of the
   * two half-batch gradients is logged: near 0, the update is mostly noise; near 1, the halves agree.
   */
  private update(
    seqs: ScoredSequence[],
    signal: { advantages: number[]; oldEntries?: number[][]; refEntries?: number[][]; jepoWeights?: number[] },
  ): { loss: number; gradNorm: number; cosine: number | null; skipped: string | null; lr: number } {
    const c = this.config;
    const rows = seqs.length;
    const lr = learningRate(this.optimizer.step, { lr: c.lr, warmupSteps: c.warmupSteps, totalSteps: c.steps, schedule: c.schedule, minLrRatio: c.minLrRatio });
    const pick = <T>(xs: T[] | undefined, idx: number[]) => xs && idx.map((i) => xs[i]!);
    const halves = c.gradientCosine && rows >= 2 ? [range(0, rows >> 1), range(rows >> 1, rows)] : [range(0, rows)];
    const settings: LossSettings = { ...this.loss, normaliser: rows };
    let loss = 0;
    let result = { gradNorm: 0, skipped: null as string | null };
    let cosine: number | null = null;
    for (let epoch = 0; epoch < (c.ppo?.epochs ?? 1); epoch++) {
      loss = 0;
      const parts = halves.map((half) => {
        const acc = new Map<string, tf.Tensor>();
        for (let start = 0; start < half.length; start += c.microBatch) {
          const idx = half.slice(start, start + c.microBatch);
          const mb: MicroBatch = {
            seqs: pick(seqs, idx)!,
            advantages: pick(signal.advantages, idx)!,
            oldEntries: pick(signal.oldEntries, idx),
            refEntries: pick(signal.refEntries, idx),
            jepoWeights: pick(signal.jepoWeights, idx),
          };
          const { value, grads } = tf.variableGrads(() => trainingPass(c.model, () => microBatchLoss(c.model, mb, settings)), c.model.trainableVariables);
          loss += value.dataSync()[0]!;
          value.dispose();
          accumulateGradients(acc, grads, this.paramNameOf);
        }
        return acc;
      });
      if (parts.length === 2) cosine = gradientCosine(parts[0]!, parts[1]!);
      const total = parts[0]!;
      if (parts.length === 2) {
        for (const [name, g] of parts[1]!) {
          const prev = total.get(name);
          total.set(name, prev ? tf.add(prev, g) : g.clone());
          if (prev) prev.dispose();
        }
        tf.dispose([...parts[1]!.values()]);
      }
      result = applyUpdate(this.optimizer, total, { loss, lr, maxGradNorm: c.maxGradNorm });
      tf.dispose([...total.values()]);
      if (result.skipped) {
        console.error(`step ${this.step + 1}: ${result.skipped}; update skipped`);
        break;
      }
    }
    return { loss, gradNorm: result.gradNorm, cosine, skipped: result.skipped, lr };
  }

  /** The KL reference's per-row entry log-probs, or undefined without KL. */
  private referenceEntries(seqs: ScoredSequence[]): number[][] | undefined {
    const ref = this.reference;
    if (ref === null) return undefined;
    const model = this.config.model;
    return ref === 'adapters-off' ? model.lora!.withAdaptersDisabled(() => this.entries(model, seqs)) : this.entries(ref, seqs);
  }

  /** Per-row entry log-probs (CoT then scored) under `model`, without gradients. */
  private entries(model: CausalLM, seqs: ScoredSequence[]): number[][] {
    const out: number[][] = [];
    for (let start = 0; start < seqs.length; start += this.config.microBatch) {
      const part = seqs.slice(start, start + this.config.microBatch);
      const [cot, scored, cotRow, scoredRow] = tf.tidy(() => {
        const e = scoreSequences(model, part, this.scoring);
        return [e.cot.dataSync() as Float32Array, e.scored.dataSync() as Float32Array, e.cotRow, e.scoredRow] as const;
      });
      out.push(...entriesPerRow(cot, cotRow, scored, scoredRow, part.length));
    }
    return out;
  }

  dispose(): void {
    this.optimizer.dispose();
    if (this.reference && this.reference !== 'adapters-off' && this.reference !== this.config.kl?.reference) this.reference.dispose();
  }
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}

/** A frozen copy of a model (for the KL reference). */
export function cloneModel(model: CausalLM): CausalLM {
  const Ctor = model.constructor as new (c: CausalLM['config'], t: Map<string, tf.Tensor>) => CausalLM;
  return new Ctor(model.config, new Map([...model.params].map(([k, v]) => [k, v.clone()])));
}
