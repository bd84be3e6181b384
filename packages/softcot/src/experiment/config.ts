// The configuration of an experiment: a synthetic task, a base model pretrained on it, RLOO from that base in every
// chosen CoT mode with identical settings, and the evaluation of every model under every inference setting. The demo
// and the reproduction study are presets of this one pipeline (pipeline.ts).
import { ARITH_OPS, type ArithOp } from '@softcot/data';
import { COT_MODES, type CotMode } from '@softcot/mixer';

export interface ExperimentConfig {
  /** What the report calls it. */
  title: string;
  /**
   * Chains of `steps` single-digit operations. `dataSeed` fixes the problems, the tokenizer and the base model's
   * initialisation. `lazyShare`: share of the supervised solutions that stop after the first step (withLazySolutions),
   * so the base is unsure whether to finish the chain and a verifier reward has something to teach.
   */
  task: { steps: number; ops: ArithOp[]; trainProblems: number; valProblems: number; testProblems: number; dataSeed: number; lazyShare: number };
  model: { hiddenSize: number; intermediateSize: number; numLayers: number; numHeads: number; numKvHeads: number };
  /**
   * Supervised pretraining. `oodTexts` unrelated multiple-choice sentences are mixed into its data (held-out ones
   * measure OOD NLL). `mixture`: mixture-tolerant pretraining (method.md §8) on that share of rows (0: plain).
   */
  sft: {
    steps: number;
    batchSize: number;
    lr: number;
    warmupSteps: number;
    oodTexts: number;
    mixture: { share: number; schedule: 'constant' | 'linear'; startStep: number };
  };
  /**
   * RLOO, identical for every mode (verifier reward 100/10/0). `validateEvery` > 0 keeps each run's best hard-greedy
   * validation checkpoint (the paper's selection) and evaluates it too; 0 evaluates the final model only.
   */
  rl: {
    steps: number;
    promptsPerStep: number;
    samplesPerPrompt: number;
    lr: number;
    warmupSteps: number;
    maxCotTokens: number;
    maxAnswerTokens: number;
    /** 0: greedy answers (not actions); 1: sampled answers, part of the loss. */
    answerTemperature: number;
    microBatch: number;
    validateEvery: number;
  };
  /** Evaluation: `samples` per problem for the sampled settings (n ≥ the largest k); every mode, greedy and sampled. */
  eval: { samples: number; ks: number[]; batchSize: number; oodItems: number };
  modes: CotMode[];
  /** RL seeds (the base is shared by every seed). */
  seeds: number[];
  /** Noise scale γ of the Gaussian modes (σ = γ·RMS(E) of the base model). */
  noiseGamma: number;
  /**
   * Also train the Gaussian modes (soft, fuzzy) with γ·√(d/3072): the per-direction noise of a d = 3072 model at γ
   * (method.md §8), as a sensitivity check.
   */
  gammaSensitivity: boolean;
}

export type ExperimentPreset = 'demo' | 'demo-quick' | 'study-tiny' | 'study-small';

// The demo: one base and RL in all five modes, at a size that runs in under 10 minutes on 2 cores. Half the
// supervised solutions are lazy (the base learns both ways to answer, so the verifier has something to teach), and
// every row is fed mixtures for 3200 steps (method.md §8): the base then reads mixtures about as it reads tokens. The
// measured alternatives (share 0.5 or 0.75, 800 or 1600 steps, a linear ramp) gave bases that were not fit on every
// seed (docs/results.md, "The demo").
const DEMO: ExperimentConfig = {
  title: 'softcot demo',
  task: { steps: 2, ops: ['+', '-'], trainProblems: 8000, valProblems: 192, testProblems: 192, dataSeed: 0, lazyShare: 0.5 },
  model: { hiddenSize: 64, intermediateSize: 192, numLayers: 2, numHeads: 4, numKvHeads: 2 },
  sft: { steps: 3200, batchSize: 32, lr: 3e-3, warmupSteps: 20, oodTexts: 0, mixture: { share: 1, schedule: 'constant', startStep: 0 } },
  rl: { steps: 120, promptsPerStep: 8, samplesPerPrompt: 8, lr: 1e-4, warmupSteps: 5, maxCotTokens: 32, maxAnswerTokens: 8, answerTemperature: 1, microBatch: 32, validateEvery: 10 },
  eval: { samples: 8, ks: [1, 2, 4, 8], batchSize: 64, oodItems: 0 },
  modes: [...COT_MODES],
  seeds: [0],
  noiseGamma: 0.33,
  gammaSensitivity: false,
};

const STUDY_SMALL: ExperimentConfig = {
  title: 'Reproduction study: training mode × inference mode',
  task: { steps: 2, ops: ['+', '-'], trainProblems: 8000, valProblems: 0, testProblems: 128, dataSeed: 0, lazyShare: 0.5 },
  model: DEMO.model,
  // A fifth of the pretraining rows are unrelated text (for OOD NLL), which have no CoT to mix, and the vocabulary is
  // larger. Its base was not fit at 3200, 4800 or 6400 steps (soft/hard greedy 0.66, 0.84, 0.78; docs/results.md);
  // the study reports the 6400-step base, whose profile its report prints first.
  sft: { ...DEMO.sft, steps: 6400, oodTexts: 2000 },
  rl: { ...DEMO.rl, validateEvery: 0 },
  eval: { samples: 32, ks: [1, 2, 4, 8, 16, 32], batchSize: 128, oodItems: 200 },
  modes: [...COT_MODES],
  seeds: [0, 1, 2],
  noiseGamma: 0.33,
  gammaSensitivity: true,
};

export const EXPERIMENT_PRESETS: Record<ExperimentPreset, ExperimentConfig> = {
  demo: DEMO,
  // What CI runs: the demo's pretraining (a weaker base would not show the rise on every seed), fewer RL steps and
  // a smaller evaluation.
  'demo-quick': { ...DEMO, task: { ...DEMO.task, valProblems: 32, testProblems: 16 }, rl: { ...DEMO.rl, steps: 60, validateEvery: 20 }, eval: { ...DEMO.eval, samples: 4, ks: [1, 2, 4] } },
  'study-small': STUDY_SMALL,
  // A code check of every piece, in seconds.
  'study-tiny': {
    ...STUDY_SMALL,
    task: { ...STUDY_SMALL.task, trainProblems: 400, testProblems: 4 },
    model: { hiddenSize: 16, intermediateSize: 32, numLayers: 1, numHeads: 2, numKvHeads: 1 },
    sft: { ...STUDY_SMALL.sft, steps: 4, batchSize: 8, warmupSteps: 1, oodTexts: 20, mixture: { share: 0.5, schedule: 'constant', startStep: 1 } },
    rl: { ...STUDY_SMALL.rl, steps: 2, promptsPerStep: 2, samplesPerPrompt: 2, maxCotTokens: 24, maxAnswerTokens: 4, microBatch: 8 },
    eval: { samples: 2, ks: [1, 2], batchSize: 32, oodItems: 4 },
    seeds: [0],
  },
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A preset with overrides (e.g. from a config file) applied field by field; unknown fields and wrong types are errors. */
export function resolveExperimentConfig(preset: ExperimentPreset, overrides: Json = {}, source = 'config'): ExperimentConfig {
  const base = EXPERIMENT_PRESETS[preset];
  if (!base) throw new Error(`unknown preset "${preset}" (expected ${Object.keys(EXPERIMENT_PRESETS).join(', ')})`);
  const merged = merge(structuredClone(base) as unknown as Json, overrides, source, '') as unknown as ExperimentConfig;
  validateExperimentConfig(merged, source);
  return merged;
}

function merge(target: Json, patch: Json, source: string, at: string): Json {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    const ok = Array.isArray(target) ? Array.isArray(patch) : typeof patch === typeof target;
    if (!ok) throw new Error(`${source}: field "${at.slice(1)}" must be ${Array.isArray(target) ? 'an array' : `a ${typeof target}`}, got ${JSON.stringify(patch)}`);
    return patch;
  }
  if (target === null || typeof target !== 'object' || Array.isArray(target)) throw new Error(`${source}: field "${at.slice(1)}" must not be an object`);
  for (const [k, v] of Object.entries(patch)) {
    if (!(k in target)) throw new Error(`${source}: unknown field "${`${at}.${k}`.slice(1)}" (known: ${Object.keys(target).join(', ')})`);
    target[k] = merge(target[k]!, v, source, `${at}.${k}`);
  }
  return target;
}

/** Bounds of every size: an experiment is meant to run on a CPU in minutes to hours. */
const MAX: Record<string, number> = {
  'task.steps': 8, 'task.trainProblems': 1_000_000, 'task.valProblems': 100_000, 'task.testProblems': 100_000,
  'model.hiddenSize': 4096, 'model.intermediateSize': 16384, 'model.numLayers': 64, 'model.numHeads': 64, 'model.numKvHeads': 64,
  'sft.steps': 1_000_000, 'sft.batchSize': 4096, 'sft.warmupSteps': 1_000_000, 'sft.oodTexts': 1_000_000,
  'rl.steps': 1_000_000, 'rl.promptsPerStep': 1024, 'rl.samplesPerPrompt': 1024, 'rl.warmupSteps': 1_000_000, 'rl.maxCotTokens': 1024,
  'rl.maxAnswerTokens': 256, 'rl.microBatch': 4096, 'rl.validateEvery': 1_000_000,
  'eval.samples': 1024, 'eval.batchSize': 4096, 'eval.oodItems': 100_000,
};

function validateExperimentConfig(c: ExperimentConfig, source: string): void {
  const fail = (field: string, what: string, got: unknown) => {
    throw new Error(`${source}: "${field}" must be ${what}, got ${JSON.stringify(got)}`);
  };
  const zeroAllowed = new Set(['task.valProblems', 'sft.oodTexts', 'rl.validateEvery', 'eval.oodItems', 'sft.warmupSteps', 'rl.warmupSteps']);
  for (const [group, fields] of Object.entries({ task: c.task, model: c.model, sft: c.sft, rl: c.rl, eval: c.eval }))
    for (const [k, v] of Object.entries(fields)) {
      const field = `${group}.${k}`;
      const max = MAX[field];
      if (max === undefined) continue;
      const min = zeroAllowed.has(field) ? 0 : 1;
      if (!(Number.isInteger(v) && (v as number) >= min && (v as number) <= max)) fail(field, `an integer in [${min}, ${max}]`, v);
    }
  if (!Number.isInteger(c.task.dataSeed)) fail('task.dataSeed', 'an integer', c.task.dataSeed);
  for (const [field, v] of [['sft.lr', c.sft.lr], ['rl.lr', c.rl.lr], ['noiseGamma', c.noiseGamma]] as const) if (!(Number.isFinite(v) && v > 0)) fail(field, 'a positive number', v);
  if (!(c.rl.answerTemperature >= 0 && Number.isFinite(c.rl.answerTemperature))) fail('rl.answerTemperature', 'a number ≥ 0', c.rl.answerTemperature);
  if (!(c.task.lazyShare >= 0 && c.task.lazyShare <= 1)) fail('task.lazyShare', 'in [0, 1]', c.task.lazyShare);
  const m = c.sft.mixture;
  if (!(m.share >= 0 && m.share <= 1)) fail('sft.mixture.share', 'in [0, 1]', m.share);
  if (m.schedule !== 'constant' && m.schedule !== 'linear') fail('sft.mixture.schedule', '"constant" or "linear"', m.schedule);
  if (!(Number.isInteger(m.startStep) && m.startStep >= 0)) fail('sft.mixture.startStep', 'an integer ≥ 0', m.startStep);
  if (c.task.ops.length === 0 || c.task.ops.some((o) => !ARITH_OPS.includes(o))) fail('task.ops', `a non-empty subset of ${ARITH_OPS.join(' ')}`, c.task.ops);
  if (c.modes.length === 0 || new Set(c.modes).size !== c.modes.length || c.modes.some((x) => !COT_MODES.includes(x))) fail('modes', `distinct modes of ${COT_MODES.join(', ')}`, c.modes);
  if (c.seeds.length === 0 || new Set(c.seeds).size !== c.seeds.length || c.seeds.some((s) => !Number.isInteger(s) || s < 0)) fail('seeds', 'distinct integers ≥ 0', c.seeds);
  if (c.eval.ks.length === 0 || c.eval.ks.some((k) => !(Number.isInteger(k) && k >= 1 && k <= c.eval.samples))) fail('eval.ks', `integers in [1, eval.samples = ${c.eval.samples}]`, c.eval.ks);
  if (c.model.hiddenSize % c.model.numHeads !== 0 || c.model.numHeads % c.model.numKvHeads !== 0)
    fail('model.hiddenSize', 'divisible by numHeads, and numHeads by numKvHeads', c.model);
  if (c.rl.validateEvery > 0 && c.task.valProblems === 0) fail('task.valProblems', '> 0 when rl.validateEvery > 0', c.task.valProblems);
}

/** γ·√(d/3072): the per-direction noise of a d = 3072 model at γ (method.md §8). */
export function scaledGamma(c: ExperimentConfig): number {
  return c.noiseGamma * Math.sqrt(c.model.hiddenSize / 3072);
}

/** One RL run of the experiment: a mode, a seed and the γ it trains with. */
export interface RunSpec {
  name: string;
  mode: CotMode;
  seed: number;
  noiseGamma: number;
  /** The γ-sensitivity variant of a Gaussian mode. */
  scaledNoise: boolean;
}

/** Every run, in a fixed order: seeds, then modes, then the γ-sensitivity variants. */
export function experimentRuns(c: ExperimentConfig): RunSpec[] {
  const runs: RunSpec[] = [];
  for (const seed of c.seeds) {
    for (const mode of c.modes) runs.push({ name: `${mode}-seed${seed}`, mode, seed, noiseGamma: c.noiseGamma, scaledNoise: false });
    if (c.gammaSensitivity)
      for (const mode of c.modes.filter((m) => m === 'soft' || m === 'fuzzy'))
        runs.push({ name: `${mode}-small-gamma-seed${seed}`, mode, seed, noiseGamma: scaledGamma(c), scaledNoise: true });
  }
  return runs;
}
