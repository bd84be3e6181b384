// The reproduction study (method.md §6): does a faithful implementation reproduce the paper's findings at small
// scale? One function runs all of it:
//   1. a synthetic arithmetic task in the paper's prompt / stop string / \boxed{} format, with a train/test
//      split, plus unrelated multiple-choice text (oodTextSet) mixed into pretraining and held out for OOD NLL;
//   2. a base model pretrained with ordinary supervised (hard-token) training, saved as an HF folder;
//   3. RLOO from that base in hard, soft and fuzzy mode, the same budget and hyper-parameters for every mode,
//      for every seed;
//   4. every model under the six inference settings with n samples per problem (pass@k, entropy by position),
//      and OOD NLL / accuracy before and after;
//   5. results.md (3×3 training × inference tables, mean ± std over seeds), summary.json and SVG plots.
// Finished pieces are kept on disk (base model, each run's checkpoints and evaluation), so an interrupted
// study resumes where it stopped.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '@softcot/base';
import { CharTokenizer, initModel, loadModel, makeConfigJson, parseModelConfig, saveModel, useBackend, type BackendName, type CausalLM } from '@softcot/model';
import { COT_MODES, noiseSigma, type CotMode } from '@softcot/mixer';
import { generateSyntheticSplits, oodTextSet, sftText, syntheticPromptFormat, ARITH_OPS, type ArithOp, type Example } from '@softcot/data';
import { RLOOTrainer, supervisedFineTune, cloneModel, readMetrics, type StepMetrics } from '@softcot/trainer';
import { evaluate, evaluateOod, lineChart, mcContext, mcItemsFromOod, writeSvg, type OodSummary, type SettingSummary } from '@softcot/eval';

export interface StudyConfig {
  /** Arithmetic chains: `steps` operations on single digits, results within [0, 99]. */
  task: { steps: number; ops: ArithOp[]; trainProblems: number; testProblems: number; dataSeed: number };
  model: { hiddenSize: number; intermediateSize: number; numLayers: number; numHeads: number; numKvHeads: number };
  /** Supervised pretraining; `oodTexts` unrelated multiple-choice sentences are mixed into its data. */
  sft: { steps: number; batchSize: number; lr: number; warmupSteps: number; oodTexts: number };
  /** RLOO, identical for every mode (verifier reward 100/10/0). */
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
  };
  /** Evaluation: `samples` per problem for the sampled settings (n ≥ the largest k). */
  eval: { samples: number; ks: number[]; batchSize: number; oodItems: number };
  modes: CotMode[];
  seeds: number[];
  /** Noise scale γ (σ = γ·RMS(E) of the base model). */
  noiseGamma: number;
}

export type StudyScale = 'tiny' | 'small';

// 400 pretraining steps leave the base imperfect (greedy pass@1 inside 20–70 %, sampled well below), so RL has
// room; lr 5e-5 because at 1e-4 every mode degrades such models within 30-40 steps (docs/results.md).
const SMALL: StudyConfig = {
  task: { steps: 2, ops: ['+', '-'], trainProblems: 8000, testProblems: 64, dataSeed: 0 },
  model: { hiddenSize: 64, intermediateSize: 192, numLayers: 2, numHeads: 4, numKvHeads: 2 },
  sft: { steps: 400, batchSize: 32, lr: 3e-3, warmupSteps: 20, oodTexts: 2000 },
  rl: { steps: 60, promptsPerStep: 8, samplesPerPrompt: 8, lr: 5e-5, warmupSteps: 5, maxCotTokens: 48, maxAnswerTokens: 8, answerTemperature: 1, microBatch: 32 },
  eval: { samples: 32, ks: [1, 2, 4, 8, 16, 32], batchSize: 128, oodItems: 200 },
  modes: ['hard', 'soft', 'fuzzy'],
  seeds: [0, 1, 2],
  noiseGamma: 0.33,
};

/** Named scales. `tiny` checks that the code runs (CI); `small` is the CPU study (29 min measured on 2 cores). */
export const STUDY_SCALES: Record<StudyScale, StudyConfig> = {
  small: SMALL,
  tiny: {
    task: { ...SMALL.task, trainProblems: 400, testProblems: 4 },
    model: { hiddenSize: 16, intermediateSize: 32, numLayers: 1, numHeads: 2, numKvHeads: 1 },
    sft: { steps: 4, batchSize: 8, lr: 3e-3, warmupSteps: 1, oodTexts: 20 },
    rl: { ...SMALL.rl, steps: 2, promptsPerStep: 2, samplesPerPrompt: 2, maxCotTokens: 24, maxAnswerTokens: 4, microBatch: 8 },
    eval: { samples: 2, ks: [1, 2], batchSize: 32, oodItems: 4 },
    modes: ['hard', 'soft', 'fuzzy'],
    seeds: [0],
    noiseGamma: 0.33,
  },
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * A scale's config with overrides from a JSON object (e.g. a config file) applied field by field. Unknown
 * fields and values of the wrong type are errors that name the field.
 */
export function resolveStudyConfig(scale: StudyScale, overrides: Json = {}, source = 'config'): StudyConfig {
  const base = STUDY_SCALES[scale];
  if (!base) throw new Error(`unknown study scale "${scale}" (expected ${Object.keys(STUDY_SCALES).join(' or ')})`);
  const merged = merge(structuredClone(base) as unknown as Json, overrides, source, '') as unknown as StudyConfig;
  validateStudyConfig(merged, source);
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

function validateStudyConfig(c: StudyConfig, source: string): void {
  const posInt = (field: string, v: number) => {
    if (!(Number.isInteger(v) && v >= 1)) throw new Error(`${source}: "${field}" must be a positive integer, got ${v}`);
  };
  const pos = (field: string, v: number) => {
    if (!(Number.isFinite(v) && v > 0)) throw new Error(`${source}: "${field}" must be a positive number, got ${v}`);
  };
  for (const [group, fields] of Object.entries({ task: c.task, model: c.model, sft: c.sft, rl: c.rl, eval: c.eval }))
    for (const [k, v] of Object.entries(fields)) {
      if (typeof v !== 'number') continue;
      if (k === 'lr' || k === 'answerTemperature' || k === 'dataSeed' || k === 'oodTexts') continue;
      posInt(`${group}.${k}`, v);
    }
  pos('sft.lr', c.sft.lr);
  pos('rl.lr', c.rl.lr);
  pos('noiseGamma', c.noiseGamma);
  if (!(c.rl.answerTemperature >= 0)) throw new Error(`${source}: "rl.answerTemperature" must be ≥ 0`);
  if (!(Number.isInteger(c.sft.oodTexts) && c.sft.oodTexts >= 0)) throw new Error(`${source}: "sft.oodTexts" must be a non-negative integer`);
  if (c.task.ops.length === 0 || c.task.ops.some((o) => !ARITH_OPS.includes(o))) throw new Error(`${source}: "task.ops" must be a non-empty subset of + - *`);
  if (c.modes.length === 0 || c.modes.some((m) => !COT_MODES.includes(m))) throw new Error(`${source}: "modes" must be a non-empty subset of ${COT_MODES.join(', ')}`);
  if (c.seeds.length === 0 || c.seeds.some((s) => !Number.isInteger(s))) throw new Error(`${source}: "seeds" must be a non-empty list of integers`);
  if (c.eval.ks.some((k) => !(Number.isInteger(k) && k >= 1 && k <= c.eval.samples)))
    throw new Error(`${source}: "eval.ks" must be integers in [1, eval.samples = ${c.eval.samples}]`);
  if (c.model.hiddenSize % c.model.numHeads !== 0 || c.model.numHeads % c.model.numKvHeads !== 0)
    throw new Error(`${source}: "model.hiddenSize" must be divisible by numHeads, and numHeads by numKvHeads`);
}

/** What runStudy writes in its output folder. */
export const STUDY_OUTPUTS = ['config.json', 'base', 'runs', 'eval', 'img', 'results.md', 'summary.json'] as const;

export interface StudyOptions {
  config: StudyConfig;
  outDir: string;
  backend?: BackendName;
  /** Reuse finished pieces in outDir (default true). */
  resume?: boolean;
  log?: (line: string) => void;
}

/** One model's evaluation: the six settings and OOD. */
export interface ModelEval {
  name: string;
  mode: CotMode | 'base';
  seed: number | null;
  summaries: SettingSummary[];
  ood: OodSummary;
  /** Mean next-token entropy over the CoT positions of hard-sampled rollouts. */
  cotEntropy: number;
  seconds: number;
}

export interface StudyResult {
  config: StudyConfig;
  base: ModelEval;
  runs: ModelEval[];
  rewardCurves: Record<string, StepMetrics[]>;
  seconds: number;
}

/** Run the whole study; see the file header. */
export async function runStudy(o: StudyOptions): Promise<StudyResult> {
  const { config: c, outDir } = o;
  const log = o.log ?? ((l: string) => console.log(l));
  const resume = o.resume ?? true;
  const t0 = performance.now();
  const clock = () => `[${fmtDuration((performance.now() - t0) / 1000)}]`;
  await useBackend(o.backend ?? 'wasm');
  fs.mkdirSync(outDir, { recursive: true });
  const configFile = path.join(outDir, 'config.json');
  if (resume && fs.existsSync(configFile)) {
    // Finished pieces are only reusable under the same settings (seeds may be added or dropped).
    const previous = JSON.parse(fs.readFileSync(configFile, 'utf8')) as StudyConfig;
    const same = JSON.stringify({ ...previous, seeds: [] }) === JSON.stringify({ ...c, seeds: [] });
    if (!same) throw new Error(`${configFile}: ${outDir} holds a study with other settings; use --fresh to redo it, or another --out`);
  }
  // --fresh removes only what a study writes, never anything else in outDir.
  if (!resume) for (const piece of STUDY_OUTPUTS) fs.rmSync(path.join(outDir, piece), { recursive: true, force: true });
  writeFileAtomic(configFile, JSON.stringify(c, null, 2) + '\n');

  // 1. Data.
  const format = syntheticPromptFormat('paper');
  const { train, test } = generateSyntheticSplits('arithmetic', {
    nTrain: c.task.trainProblems,
    nTest: c.task.testProblems,
    seed: c.task.dataSeed,
    steps: c.task.steps,
    ops: c.task.ops,
  });
  const oodTrain = oodTextSet({ n: c.sft.oodTexts, seed: `${c.task.dataSeed}:ood-pretrain` }).map((it) => ({ prompt: mcContext(it.question), target: ` ${it.choices[it.answerIndex]!}` }));
  const oodItems = mcItemsFromOod(oodTextSet({ n: c.eval.oodItems, seed: `${c.task.dataSeed}:ood-eval` }));
  const tokenizer = new CharTokenizer(alphabetOf([...train, ...test].map((e) => sftText(e, format)), oodTrain.flatMap((x) => [x.prompt, x.target]), oodItems.flatMap((it) => [it.context, ...it.continuations])));
  log(`${clock()} task: ${train.length} train / ${test.length} test chains of ${c.task.steps} steps (e.g. "${train[0]!.question}" -> ${train[0]!.answer}); ${oodTrain.length} OOD texts in pretraining, ${oodItems.length} held out; vocab ${tokenizer.vocabSize}`);

  // 2. Base model.
  const baseDir = path.join(outDir, 'base');
  let base: CausalLM;
  if (resume && fs.existsSync(path.join(baseDir, 'model.safetensors'))) {
    base = loadModel(baseDir);
    log(`${clock()} base model: loaded ${baseDir}`);
  } else {
    const config = parseModelConfig(
      makeConfigJson('llama', { vocabSize: tokenizer.vocabSize, ...c.model, maxPositionEmbeddings: 256, tieWordEmbeddings: true, bosTokenId: 1, eosTokenId: 2, padTokenId: 0 }),
    );
    base = initModel(config, c.task.dataSeed);
    log(`${clock()} base model: ${c.sft.steps} supervised steps of ${c.sft.batchSize}`);
    const every = Math.max(1, Math.round(c.sft.steps / 10));
    supervisedFineTune(base, tokenizer, train, {
      format,
      steps: c.sft.steps,
      batchSize: c.sft.batchSize,
      lr: c.sft.lr,
      warmupSteps: c.sft.warmupSteps,
      seed: c.task.dataSeed,
      extraTexts: oodTrain,
      onStep: (step, loss) => {
        if (step % every === 0 || step === c.sft.steps) log(`  sft ${step}/${c.sft.steps}  loss ${loss.toFixed(4)}`);
      },
    });
    saveModel(base, baseDir, { dtype: 'float32' });
    tokenizer.save(baseDir);
  }
  const sigma = noiseSigma(base.embeddingMatrix, c.noiseGamma);

  const evalDir = path.join(outDir, 'eval');
  fs.mkdirSync(evalDir, { recursive: true });
  const evaluateModel = async (model: CausalLM, name: string, mode: ModelEval['mode'], seed: number | null): Promise<ModelEval> => {
    const file = path.join(evalDir, `${name}.json`);
    if (resume && fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as ModelEval;
    const te = performance.now();
    let last = 0;
    const r = await evaluate(model, tokenizer, test, {
      format,
      samples: c.eval.samples,
      ks: c.eval.ks,
      maxCotTokens: c.rl.maxCotTokens,
      maxAnswerTokens: c.rl.maxAnswerTokens,
      sigma,
      seed: 0,
      batchSize: c.eval.batchSize,
      onProgress: (done, total, setting) => {
        if (performance.now() - last > 30_000 || done === total) {
          last = performance.now();
          log(`  eval ${name}: ${setting} ${done}/${total}`);
        }
      },
    });
    const ood = evaluateOod(model, tokenizer, oodItems).summary;
    const hardSample = r.summaries.find((s) => s.mode === 'hard' && !s.greedy);
    const h = hardSample?.entropyByPosition ?? [];
    const out: ModelEval = { name, mode, seed, summaries: r.summaries, ood, cotEntropy: h.length ? h.reduce((a, b) => a + b, 0) / h.length : NaN, seconds: (performance.now() - te) / 1000 };
    writeFileAtomic(file, JSON.stringify(out) + '\n');
    log(`${clock()} ${name}: ${headline(out)}`);
    return out;
  };

  log(`${clock()} evaluating the base model (${test.length} problems × ${c.eval.samples} samples, six settings)`);
  const baseEval = await evaluateModel(base, 'base', 'base', null);

  // 3. RL in every mode and seed from the same base, with the same settings.
  const runs: ModelEval[] = [];
  const rewardCurves: Record<string, StepMetrics[]> = {};
  for (const seed of c.seeds)
    for (const mode of c.modes) {
      const name = `${mode}-seed${seed}`;
      const runDir = path.join(outDir, 'runs', name);
      const done = resume && fs.existsSync(path.join(evalDir, `${name}.json`));
      if (!done) {
        const model = cloneModel(base);
        log(`${clock()} RLOO ${name}: ${c.rl.steps} steps × ${c.rl.promptsPerStep} prompts × ${c.rl.samplesPerPrompt} samples`);
        const every = Math.max(1, Math.round(c.rl.steps / 10));
        const trainer = new RLOOTrainer({
          model,
          tokenizer,
          format,
          cot: { mode, maxTokens: c.rl.maxCotTokens },
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
          outputDir: runDir,
          saveEvery: every,
          keepCheckpoints: 1,
          resume,
          seed,
          progress: false,
          onStep: (m) => {
            if (m.step % every === 0 || m.step === c.rl.steps)
              log(`  ${name} step ${m.step}/${c.rl.steps}  reward ${m.rewardMean.toFixed(1)}  entropy ${m.entropyMean.toFixed(3)}  ${m.stepSeconds.toFixed(1)}s/step`);
          },
        });
        const result = await trainer.train(train);
        trainer.dispose();
        if (result.interrupted) {
          model.dispose();
          throw new Error(`interrupted during ${name}; rerun the same command to resume`);
        }
        runs.push(await evaluateModel(model, name, mode, seed));
        model.dispose();
      } else {
        runs.push(await evaluateModel(base, name, mode, seed));
      }
      const metricsFile = path.join(runDir, 'metrics.jsonl');
      rewardCurves[name] = fs.existsSync(metricsFile) ? readMetrics(metricsFile) : [];
    }

  // 4. Report.
  const seconds = (performance.now() - t0) / 1000;
  const result: StudyResult = { config: c, base: baseEval, runs, rewardCurves, seconds };
  writeStudyReport(outDir, result);
  log(`${clock()} done: ${path.join(outDir, 'results.md')} and plots in ${path.join(outDir, 'img')}`);
  base.dispose();
  tf.disposeVariables();
  return result;
}

/** Characters of every text the study feeds the model, for a character tokenizer. */
function alphabetOf(...groups: string[][]): string {
  const chars = new Set<string>();
  for (const g of groups) for (const s of g) for (const ch of s) chars.add(ch);
  return [...chars].sort().join('');
}

function fmtDuration(s: number): string {
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(0)}s`;
}

function setting(e: ModelEval, mode: CotMode, greedy: boolean): SettingSummary {
  const s = e.summaries.find((x) => x.mode === mode && x.greedy === greedy);
  if (!s) throw new Error(`evaluation ${e.name} has no ${mode} ${greedy ? 'greedy' : 'sample'} setting`);
  return s;
}

function headline(e: ModelEval): string {
  const pct = (x: number) => (100 * x).toFixed(1);
  const maxK = Math.max(...Object.keys(setting(e, 'hard', false).passAtK).map(Number));
  return (
    COT_MODES.map((m) => `${m} greedy ${pct(setting(e, m, true).pass1)} sample ${pct(setting(e, m, false).pass1)} pass@${maxK} ${pct(setting(e, m, false).passAtK[maxK]!)}`).join(' | ') +
    ` | OOD NLL ${e.ood.answerNll.toFixed(3)}`
  );
}

// ---------------------------------------------------------------------------------------------------------
// Report

interface Stat {
  mean: number;
  std: number;
  n: number;
}

export function meanStd(xs: readonly number[]): Stat {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  // Sample standard deviation across seeds (0 for a single seed).
  const std = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

const fmtPct = (s: Stat) => (s.n > 1 ? `${(100 * s.mean).toFixed(1)} ± ${(100 * s.std).toFixed(1)}` : (100 * s.mean).toFixed(1));
const fmtNum = (s: Stat, digits: number) => (s.n > 1 ? `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}` : s.mean.toFixed(digits));

/** The metric of one model under an inference mode. */
type Metric = { title: string; value: (e: ModelEval, inference: CotMode) => number };

function studyMetrics(maxK: number): Metric[] {
  return [
    { title: 'greedy pass@1 (%)', value: (e, m) => setting(e, m, true).pass1 },
    { title: 'sample pass@1 (%)', value: (e, m) => setting(e, m, false).pass1 },
    { title: `pass@${maxK} (%)`, value: (e, m) => setting(e, m, false).passAtK[maxK]! },
  ];
}

function byMode(runs: readonly ModelEval[], modes: readonly CotMode[]): [CotMode, ModelEval[]][] {
  return modes.map((m) => [m, runs.filter((r) => r.mode === m)]);
}

export function studyMarkdown(r: StudyResult): string {
  const c = r.config;
  const maxK = Math.max(...c.eval.ks);
  const groups = byMode(r.runs, c.modes);
  const lines: string[] = [
    '# Reproduction study: hard, soft and fuzzy training × inference',
    '',
    `Task: ${c.task.steps}-step arithmetic chains (ops ${c.task.ops.join(' ')}), ${c.task.testProblems} test problems; ` +
      `model: Llama-style, hidden ${c.model.hiddenSize}, ${c.model.numLayers} layers; base: ${c.sft.steps} supervised steps of ${c.sft.batchSize}; ` +
      `RLOO: ${c.rl.steps} steps × ${c.rl.promptsPerStep} prompts × ${c.rl.samplesPerPrompt} samples, lr ${c.rl.lr.toExponential()}, verifier reward 100/10/0, ` +
      `the same for every mode; seeds ${c.seeds.join(', ')}; evaluation: ${c.eval.samples} samples per problem, answers greedy. ` +
      `Mean ± sample std over seeds. Wall time ${fmtDuration(r.seconds)}.`,
    '',
  ];
  for (const metric of studyMetrics(maxK)) {
    lines.push(`## ${metric.title}: training mode × inference mode`, '', `| training \\ inference | ${c.modes.join(' | ')} |`, `|---|${c.modes.map(() => '---|').join('')}`);
    lines.push(`| base | ${c.modes.map((m) => fmtPct(meanStd([metric.value(r.base, m)]))).join(' | ')} |`);
    for (const [mode, evals] of groups) {
      if (evals.length === 0) continue;
      lines.push(`| ${mode} | ${c.modes.map((m) => fmtPct(meanStd(evals.map((e) => metric.value(e, m))))).join(' | ')} |`);
    }
    lines.push('');
  }
  lines.push('## CoT entropy and out-of-domain text', '', '| model | mean CoT entropy (hard sample, nats) | OOD answer NLL (nats/token) | OOD accuracy (%) |', '|---|---|---|---|');
  const row = (name: string, evals: ModelEval[]) =>
    `| ${name} | ${fmtNum(meanStd(evals.map((e) => e.cotEntropy)), 4)} | ${fmtNum(meanStd(evals.map((e) => e.ood.answerNll)), 4)} | ${fmtPct(meanStd(evals.map((e) => e.ood.accuracy)))} |`;
  lines.push(row('base', [r.base]));
  for (const [mode, evals] of groups) if (evals.length > 0) lines.push(row(`${mode}-trained`, evals));
  lines.push('', '## Training reward (verifier), mean of the first and last 10% of steps', '', '| training | first | last |', '|---|---|---|');
  for (const mode of c.modes) {
    const curves = Object.entries(r.rewardCurves).filter(([name]) => name.startsWith(`${mode}-`)).map(([, m]) => m);
    if (curves.length === 0) continue;
    const w = Math.max(1, Math.round(c.rl.steps / 10));
    const avg = (ms: StepMetrics[]) => ms.reduce((a, m) => a + m.rewardMean, 0) / ms.length;
    lines.push(`| ${mode} | ${fmtNum(meanStd(curves.map((m) => avg(m.slice(0, w)))), 1)} | ${fmtNum(meanStd(curves.map((m) => avg(m.slice(-w)))), 1)} |`);
  }
  lines.push('', '## Plots', '');
  for (const f of studyPlotFiles(c)) lines.push(`![${f.title}](img/${f.file})`, '');
  return lines.join('\n');
}

function studyPlotFiles(c: StudyConfig): { file: string; title: string }[] {
  return [
    ...c.modes.map((m) => ({ file: `passk-${m}-inference.svg`, title: `pass@k under ${m} inference` })),
    { file: 'entropy.svg', title: 'CoT entropy by position' },
    { file: 'reward.svg', title: 'training reward' },
  ];
}

export function writeStudyReport(outDir: string, r: StudyResult): void {
  const c = r.config;
  const img = path.join(outDir, 'img');
  fs.mkdirSync(img, { recursive: true });
  const groups = byMode(r.runs, c.modes).filter(([, e]) => e.length > 0);
  const models: [string, ModelEval[]][] = [['base', [r.base]], ...groups.map(([m, e]) => [`${m}-trained`, e] as [string, ModelEval[]])];
  for (const inference of c.modes) {
    writeSvg(
      path.join(img, `passk-${inference}-inference.svg`),
      lineChart({
        title: `pass@k under ${inference} sampling (mean over seeds)`,
        xLabel: 'k',
        yLabel: 'pass@k (%)',
        logX: true,
        yRange: [0, 100],
        series: models.map(([name, evals]) => ({
          name,
          points: c.eval.ks.map((k) => [k, 100 * meanStd(evals.map((e) => setting(e, inference, false).passAtK[k]!)).mean] as const),
        })),
      }),
    );
  }
  writeSvg(
    path.join(img, 'entropy.svg'),
    lineChart({
      title: 'next-token entropy by CoT position (hard sampling, mean over seeds)',
      xLabel: 'CoT position',
      yLabel: 'entropy (nats)',
      series: models.map(([name, evals]) => {
        const curves = evals.map((e) => setting(e, 'hard', false).entropyByPosition);
        const len = Math.min(...curves.map((h) => h.length));
        return { name, points: Array.from({ length: len }, (_, p) => [p, meanStd(curves.map((h) => h[p]!)).mean] as const) };
      }),
    }),
  );
  writeSvg(
    path.join(img, 'reward.svg'),
    lineChart({
      title: 'RLOO training reward (verifier; mean over seeds, 5-step running mean)',
      xLabel: 'step',
      yLabel: 'mean reward',
      series: c.modes.flatMap((mode) => {
        const curves = Object.entries(r.rewardCurves).filter(([name]) => name.startsWith(`${mode}-`)).map(([, m]) => m);
        if (curves.length === 0) return [];
        const len = Math.min(...curves.map((m) => m.length));
        const mean = Array.from({ length: len }, (_, i) => meanStd(curves.map((m) => m[i]!.rewardMean)).mean);
        return [{ name: `${mode} training`, points: mean.map((_, i) => [i + 1, meanStd(mean.slice(Math.max(0, i - 4), i + 1)).mean] as const) }];
      }),
    }),
  );
  writeFileAtomic(path.join(outDir, 'results.md'), studyMarkdown(r));
  writeFileAtomic(path.join(outDir, 'summary.json'), JSON.stringify({ config: c, seconds: r.seconds, base: r.base, runs: r.runs }, null, 2) + '\n');
}

export type { Example };
