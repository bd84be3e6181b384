// One experiment pipeline, for the demo and the reproduction study alike:
//   1. the task (task.ts) and a base model pretrained on it by supervised training, saved as an HF folder;
//   2. the base evaluated under every inference setting, and its profile (is it fit for comparing modes?);
//   3. RLOO from that base in every mode (and seed), identical settings, run in parallel worker processes;
//   4. every trained model evaluated the same way (and the best-validation checkpoint, when runs validate);
//   5. results.md, summary.json and SVG plots (report.ts).
// Every finished piece is kept on disk (base, runs' checkpoints, evaluations), so an interrupted experiment resumes
// where it stopped, and a worker needs nothing but the output folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { mean, readJsonFile, writeJsonAtomic } from '@softcot/base';
import { initModel, loadModel, makeConfigJson, parseModelConfig, saveModel, useBackend, type BackendName, type CausalLM } from '@softcot/model';
import { embeddingRms, type CotMode, type CotSettings } from '@softcot/mixer';
import { RLOOTrainer, supervisedFineTune, readMetrics, type RLOOConfig, type StepMetrics } from '@softcot/trainer';
import { ALL_SETTINGS, baseProfile, evaluate, evaluateOod, pass1Scorer, type BaseProfile, type OodSummary, type SettingSummary } from '@softcot/eval';
import { experimentRuns, type ExperimentConfig, type RunSpec } from './config';
import { buildTask, type ExperimentTask } from './task';
import { runInWorkers } from './workers';
import { writeExperimentReport } from './report';

export interface ExperimentOptions {
  config: ExperimentConfig;
  outDir: string;
  backend?: BackendName;
  /** Reuse finished pieces in outDir (default true). */
  resume?: boolean;
  /** RL runs trained at once, each in its own process (default: 1, in this process). */
  workers?: number;
  /** Backend of this process and of the workers (default: native-cpu when its addon is built, else wasm). */
  log?: (line: string) => void;
}

/** One model's evaluation. */
export interface ModelEval {
  name: string;
  mode: CotMode | 'base';
  seed: number | null;
  /** The γ the model was trained with (its soft/fuzzy settings are evaluated with σ = γ·RMS(E_base)). */
  noiseGamma: number;
  /** Which model: the base, a run's final model, or its best-validation checkpoint (at `step`). */
  checkpoint: 'base' | 'final' | 'best';
  step: number;
  summaries: SettingSummary[];
  ood: OodSummary | null;
  /** Mean next-token entropy over the CoT positions of hard-sampled rollouts. */
  cotEntropy: number;
  seconds: number;
}

export interface RunResult {
  spec: RunSpec;
  final: ModelEval;
  /** With validation: the best checkpoint's step and score, and its evaluation when it is neither the base nor final. */
  best: { step: number; value: number; eval: ModelEval | null } | null;
  metrics: StepMetrics[];
}

export interface ExperimentResult {
  config: ExperimentConfig;
  base: ModelEval;
  profile: BaseProfile;
  /** Hard greedy pass@1 of the base on the validation problems (with validation). */
  baseValidation: number | null;
  runs: RunResult[];
  seconds: number;
}

/** What an experiment writes in its output folder (`fresh` removes exactly these). */
export const EXPERIMENT_OUTPUTS = ['config.json', 'base', 'runs', 'eval', 'img', 'results.md', 'summary.json'] as const;

/** Run the whole experiment; see the file header. */
export async function runExperiment(o: ExperimentOptions): Promise<ExperimentResult> {
  const { config: c, outDir } = o;
  const log = o.log ?? ((l: string) => console.log(l));
  const resume = o.resume ?? true;
  const t0 = performance.now();
  const clock = () => `[${fmtDuration((performance.now() - t0) / 1000)}]`;
  const backend = await useBackend(o.backend);
  prepareOutDir(outDir, c, resume);

  const task = buildTask(c);
  log(`${clock()} task: ${task.train.length} train / ${task.validation.length} validation / ${task.test.length} test chains of ${c.task.steps} steps (e.g. "${task.train[0]!.question}" -> ${task.train[0]!.answer}); ${(100 * c.task.lazyShare).toFixed(0)} % of the supervised solutions stop after the first step; vocabulary ${task.tokenizer.vocabSize}`);

  const base = await baseModel(c, task, outDir, resume, log, clock);
  const baseEval = await evaluateModel(c, task, base, { outDir, name: 'base', mode: 'base', seed: null, noiseGamma: c.noiseGamma, checkpoint: 'base', step: 0, resume, log, clock });
  const profile = baseProfile(baseEval.summaries);
  log(`${clock()} base profile: ${profile.verdict}`);
  const baseValidation = c.rl.validateEvery > 0 ? await pass1Scorer(task.tokenizer, task.validation, validationOptions(c, task))(base) : null;
  base.dispose();

  const specs = experimentRuns(c);
  const pending = specs.filter((s) => !(resume && runDone(outDir, s.name)));
  if (pending.length > 0) {
    const workers = Math.max(1, Math.min(o.workers ?? 1, pending.length));
    log(`${clock()} RLOO: ${pending.length} run${pending.length === 1 ? '' : 's'} (${pending.map((s) => s.name).join(', ')}) of ${c.rl.steps} steps × ${c.rl.promptsPerStep} prompts × ${c.rl.samplesPerPrompt} samples${workers > 1 ? `, ${workers} at a time in worker processes` : ''}`);
    if (workers > 1) await runInWorkers(pending.map((s) => s.name), { outDir, backend, workers, log });
    else for (const spec of pending) await trainAndEvaluate(c, task, outDir, spec, log, clock);
  }
  const runs = specs.map((spec) => readRun(outDir, spec));

  const seconds = (performance.now() - t0) / 1000;
  const result: ExperimentResult = { config: c, base: baseEval, profile, baseValidation, runs, seconds };
  writeExperimentReport(outDir, result);
  log(`${clock()} done: ${path.join(outDir, 'results.md')}, summary.json and plots in ${path.join(outDir, 'img')}`);
  tf.disposeVariables();
  return result;
}

/**
 * Train and evaluate one run of the experiment in `outDir` (which holds its config.json and base): what a worker
 * process does, and what runExperiment does itself with one worker.
 */
export async function runOneRun(outDir: string, name: string, backend?: BackendName, log: (line: string) => void = console.log): Promise<void> {
  const c = readExperimentConfig(outDir);
  const spec = experimentRuns(c).find((s) => s.name === name);
  if (!spec) throw new Error(`${path.join(outDir, 'config.json')}: the experiment has no run "${name}" (runs: ${experimentRuns(c).map((s) => s.name).join(', ')})`);
  await useBackend(backend);
  const t0 = performance.now();
  await trainAndEvaluate(c, buildTask(c), outDir, spec, log, () => `[${fmtDuration((performance.now() - t0) / 1000)}]`);
  tf.disposeVariables();
}

export function readExperimentConfig(outDir: string): ExperimentConfig {
  const file = path.join(outDir, 'config.json');
  return readJsonFile(file, { what: "experiment's config" }) as ExperimentConfig;
}

/** Finished pieces are only reusable under the same settings (seeds and modes may be added or dropped). */
function prepareOutDir(outDir: string, c: ExperimentConfig, resume: boolean): void {
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, 'config.json');
  if (resume && fs.existsSync(file)) {
    const previous = readExperimentConfig(outDir);
    const comparable = (x: ExperimentConfig) => JSON.stringify({ ...x, title: '', seeds: [], modes: [], gammaSensitivity: false });
    if (comparable(previous) !== comparable(c)) throw new Error(`${file}: ${outDir} holds an experiment with other settings; use --fresh to redo it, or another --out`);
  }
  // A fresh start removes only what an experiment writes, never anything else in outDir.
  if (!resume) for (const piece of EXPERIMENT_OUTPUTS) fs.rmSync(path.join(outDir, piece), { recursive: true, force: true });
  writeJsonAtomic(file, c);
}

async function baseModel(c: ExperimentConfig, task: ExperimentTask, outDir: string, resume: boolean, log: (l: string) => void, clock: () => string): Promise<CausalLM> {
  const dir = path.join(outDir, 'base');
  if (resume && fs.existsSync(path.join(dir, 'model.safetensors'))) {
    log(`${clock()} base model: loaded ${dir}`);
    return loadModel(dir);
  }
  const config = parseModelConfig(
    makeConfigJson('llama', { vocabSize: task.tokenizer.vocabSize, ...c.model, maxPositionEmbeddings: 256, tieWordEmbeddings: true, bosTokenId: 1, eosTokenId: 2, padTokenId: 0 }),
  );
  const base = initModel(config, c.task.dataSeed);
  const m = c.sft.mixture;
  log(`${clock()} base model: ${c.sft.steps} supervised steps of ${c.sft.batchSize}${m.share > 0 ? `, mixture-tolerant on ${(100 * m.share).toFixed(0)} % of the rows (${m.schedule}${m.startStep > 0 ? ` from step ${m.startStep}` : ''})` : ''}`);
  const every = Math.max(1, Math.round(c.sft.steps / 8));
  supervisedFineTune(base, task.tokenizer, task.sftData, {
    format: task.format,
    steps: c.sft.steps,
    batchSize: c.sft.batchSize,
    lr: c.sft.lr,
    warmupSteps: c.sft.warmupSteps,
    seed: c.task.dataSeed,
    extraTexts: task.oodTrain,
    ...(m.share > 0 ? { mixture: { share: m.share, schedule: m.schedule, startStep: m.startStep, noiseGamma: c.noiseGamma } } : {}),
    onStep: (step, loss) => {
      if (step % every === 0 || step === c.sft.steps) log(`  sft ${step}/${c.sft.steps}  loss ${loss.toFixed(4)}`);
    },
  });
  saveModel(base, dir, { dtype: 'float32' });
  task.tokenizer.save(dir);
  return base;
}

/**
 * The RL settings every run of the experiment shares (verifier reward, the config's budget, clipping at 1): what
 * differs between runs is the spec's mode, seed and γ, and `cot` (extra CoT policy settings, e.g. a benchmark's
 * variant of one mode).
 */
export function rlConfig(c: ExperimentConfig, task: ExperimentTask, model: CausalLM, spec: RunSpec, cot: Partial<CotSettings> = {}): RLOOConfig {
  const gaussian = spec.mode === 'soft' || spec.mode === 'fuzzy';
  return {
    model,
    tokenizer: task.tokenizer,
    format: task.format,
    cot: { mode: spec.mode, maxTokens: c.rl.maxCotTokens, ...(gaussian ? { noiseGamma: spec.noiseGamma } : {}), ...cot },
    reward: 'verifier',
    promptsPerStep: c.rl.promptsPerStep,
    samplesPerPrompt: c.rl.samplesPerPrompt,
    microBatch: c.rl.microBatch,
    maxAnswerTokens: c.rl.maxAnswerTokens,
    answerTemperature: c.rl.answerTemperature,
    steps: c.rl.steps,
    lr: c.rl.lr,
    warmupSteps: c.rl.warmupSteps,
    maxGradNorm: 1.0,
    seed: spec.seed,
  };
}

function validationOptions(c: ExperimentConfig, task: ExperimentTask) {
  return { format: task.format, samples: 1, maxCotTokens: c.rl.maxCotTokens, maxAnswerTokens: c.rl.maxAnswerTokens, seed: 0, batchSize: c.eval.batchSize };
}

const evalFile = (outDir: string, name: string) => path.join(outDir, 'eval', `${name}.json`);
const runDone = (outDir: string, name: string) => fs.existsSync(evalFile(outDir, name));

async function trainAndEvaluate(c: ExperimentConfig, task: ExperimentTask, outDir: string, spec: RunSpec, log: (l: string) => void, clock: () => string): Promise<void> {
  const runDir = path.join(outDir, 'runs', spec.name);
  const baseDir = path.join(outDir, 'base');
  const model = loadModel(baseDir);
  const every = Math.max(1, Math.round(c.rl.steps / 10));
  const trainer = new RLOOTrainer({
    ...rlConfig(c, task, model, spec),
    outputDir: runDir,
    saveEvery: every,
    keepCheckpoints: 1,
    progress: false,
    ...(c.rl.validateEvery > 0 ? { validation: { every: c.rl.validateEvery, score: pass1Scorer(task.tokenizer, task.validation, validationOptions(c, task)) } } : {}),
    onStep: (m) => {
      if (m.step % every === 0 || m.step === c.rl.steps)
        log(
          `  ${spec.name} step ${m.step}/${c.rl.steps}  reward ${m.rewardMean.toFixed(1)}  cos(g1,g2) ${m.gradientCosine?.toFixed(2) ?? '-'}  ` +
            `correct/finished ${m.finishedCorrect?.toFixed(2) ?? '-'}  cot ${m.cotLengthMean.toFixed(1)}  ${m.stepSeconds.toFixed(1)}s/step` +
            (m.validation !== undefined ? `  validation ${(100 * m.validation).toFixed(1)}` : ''),
        );
    },
  });
  const result = await trainer.train(task.train);
  trainer.dispose();
  if (result.interrupted) {
    model.dispose();
    throw new Error(`interrupted during ${spec.name}; rerun the same command to resume`);
  }
  const ctx = { outDir, mode: spec.mode, seed: spec.seed, noiseGamma: spec.noiseGamma, resume: true, log, clock };
  if (result.best && result.best.step > 0 && result.best.step < c.rl.steps) {
    const best = loadModel(path.join(runDir, 'best'));
    await evaluateModel(c, task, best, { ...ctx, name: `${spec.name}-best`, checkpoint: 'best', step: result.best.step });
    best.dispose();
  }
  // The final evaluation is written last: it marks the run done.
  await evaluateModel(c, task, model, { ...ctx, name: spec.name, checkpoint: 'final', step: c.rl.steps });
  model.dispose();
}

interface EvalContext {
  outDir: string;
  name: string;
  mode: ModelEval['mode'];
  seed: number | null;
  noiseGamma: number;
  checkpoint: ModelEval['checkpoint'];
  step: number;
  resume: boolean;
  log: (l: string) => void;
  clock: () => string;
}

/** Every inference setting (σ = γ·RMS(E) of the base for the Gaussian ones) and OOD; cached in eval/NAME.json. */
async function evaluateModel(c: ExperimentConfig, task: ExperimentTask, model: CausalLM, x: EvalContext): Promise<ModelEval> {
  const file = evalFile(x.outDir, x.name);
  if (x.resume && fs.existsSync(file)) return readJsonFile(file) as ModelEval;
  const te = performance.now();
  let last = 0;
  const r = await evaluate(model, task.tokenizer, task.test, {
    format: task.format,
    settings: ALL_SETTINGS,
    samples: c.eval.samples,
    ks: c.eval.ks,
    maxCotTokens: c.rl.maxCotTokens,
    maxAnswerTokens: c.rl.maxAnswerTokens,
    sigma: x.noiseGamma * baseEmbeddingRms(x.outDir),
    seed: 0,
    batchSize: c.eval.batchSize,
    onProgress: (done, total, setting) => {
      if (performance.now() - last > 30_000 || done === total) {
        last = performance.now();
        x.log(`  eval ${x.name}: ${setting} ${done}/${total}`);
      }
    },
  });
  const ood = task.oodItems.length > 0 ? evaluateOod(model, task.tokenizer, task.oodItems).summary : null;
  const h = r.summaries.find((s) => s.mode === 'hard' && !s.greedy)?.entropyByPosition ?? [];
  const out: ModelEval = {
    name: x.name, mode: x.mode, seed: x.seed, noiseGamma: x.noiseGamma, checkpoint: x.checkpoint, step: x.step,
    summaries: r.summaries, ood, cotEntropy: h.length ? mean(h) : NaN, seconds: (performance.now() - te) / 1000,
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeJsonAtomic(file, out);
  x.log(`${x.clock()} ${x.name}: ${headline(out)}`);
  return out;
}

/** RMS(E) of the base model's input embeddings: σ of every evaluation derives from it, whichever model is evaluated. */
const baseRmsCache = new Map<string, number>();
function baseEmbeddingRms(outDir: string): number {
  let rms = baseRmsCache.get(outDir);
  if (rms === undefined) {
    const base = loadModel(path.join(outDir, 'base'));
    rms = embeddingRms(base.embeddingMatrix);
    base.dispose();
    baseRmsCache.set(outDir, rms);
  }
  return rms;
}

function readRun(outDir: string, spec: RunSpec): RunResult {
  const read = (name: string) => readJsonFile(evalFile(outDir, name)) as ModelEval;
  const runDir = path.join(outDir, 'runs', spec.name);
  const metricsFile = path.join(runDir, 'metrics.jsonl');
  const bestFile = path.join(runDir, 'best', 'best.json');
  let best: RunResult['best'] = null;
  if (fs.existsSync(bestFile)) {
    const b = readJsonFile(bestFile) as { step: number; value: number };
    best = { ...b, eval: fs.existsSync(evalFile(outDir, `${spec.name}-best`)) ? read(`${spec.name}-best`) : null };
  }
  return { spec, final: read(spec.name), best, metrics: fs.existsSync(metricsFile) ? readMetrics(metricsFile) : [] };
}

function setting(e: ModelEval, mode: CotMode, greedy: boolean): SettingSummary | undefined {
  return e.summaries.find((x) => x.mode === mode && x.greedy === greedy);
}

function headline(e: ModelEval): string {
  const pct = (x: number | undefined) => (x === undefined ? '-' : (100 * x).toFixed(1));
  const modes = [...new Set(e.summaries.map((s) => s.mode))];
  return modes.map((m) => `${m} ${pct(setting(e, m, true)?.pass1)}/${pct(setting(e, m, false)?.pass1)}`).join(' | ') + ' (greedy/sample pass@1)' + (e.ood ? ` | OOD NLL ${e.ood.answerNll.toFixed(3)}` : '');
}

export function fmtDuration(s: number): string {
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(0)}s`;
}
