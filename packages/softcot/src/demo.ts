// The demo: the whole method end to end on a task small enough for two CPU cores.
//  1. a synthetic multi-step arithmetic task in the paper's prompt / stop string / \boxed{} format;
//  2. a tiny Llama-style model pretrained on it with ordinary supervised (hard-token) training, on a mix where half
//     the solutions come from a careless solver that stops after the first step (withLazySolutions): the base has
//     learned both ways to answer and is unsure which to take, which is what RL with a verifier can fix;
//  3. RLOO with the verifier reward (100 correct / 10 boxed but wrong / 0) in soft mode, and in hard mode for
//     contrast, from the same base with the same hyper-parameters;
//  4. a table of greedy pass@1, sample pass@1 and pass@k under hard, soft and fuzzy inference;
//  5. metrics JSONL, a reward-curve plot and the tables in the output folder; each run also keeps its best
//     greedy-validation checkpoint (method.md §3), which is the base itself when no RL step beat it.
// It needs nothing from ../shared.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic, writeJsonAtomic } from '@softcot/base';
import { CharTokenizer, initModel, loadModel, makeConfigJson, parseModelConfig, saveModel, useBackend, type BackendName, type CausalLM } from '@softcot/model';
import { noiseSigma, type CotMode } from '@softcot/mixer';
import { generateSyntheticSplits, syntheticAlphabet, syntheticPieces, syntheticPromptFormat, withLazySolutions, type Example } from '@softcot/data';
import { RLOOTrainer, supervisedFineTune, cloneModel, type StepMetrics } from '@softcot/trainer';
import { evaluate, lineChart, pass1Scorer, summaryTable, writeSvg, SIX_SETTINGS, type SettingSummary } from '@softcot/eval';
import { meanStd } from './study';

export interface DemoOptions {
  outDir: string;
  /** Reduced sizes for CI (a couple of minutes). */
  quick?: boolean;
  backend?: BackendName;
  seed?: number;
  log?: (line: string) => void;
}

export interface DemoResult {
  base: SettingSummary[];
  trained: Record<'soft' | 'hard', SettingSummary[]>;
  /** The best-greedy-validation checkpoint of each run (step 0 is the base itself) and, if it is not the base or the final model, its evaluation. */
  best: Record<'soft' | 'hard', { step: number; value: number; summaries: SettingSummary[] | null }>;
  /** The base model's validation score (hard greedy pass@1 on the validation problems). */
  baseValidation: number;
  rewardCurves: Record<'soft' | 'hard', StepMetrics[]>;
  seconds: number;
}

interface DemoSizes {
  trainProblems: number;
  testProblems: number;
  /** Held-out problems for the best-greedy-validation checkpoint (method.md §3), disjoint from train and test. */
  valProblems: number;
  validateEvery: number;
  /** Share of the supervised solutions that stop after the first step (withLazySolutions). */
  lazyShare: number;
  sftSteps: number;
  rlSteps: number;
  promptsPerStep: number;
  samplesPerPrompt: number;
  evalSamples: number;
  lr: number;
}

// Half the supervised solutions are lazy: the base then takes either branch after the first step, often enough that
// soft rollouts explore both (their branch is the greedy shadow's, so a base that nearly always finishes the chain
// gives soft mode nothing to learn: with a 30 % share the soft reward fell). lr 1e-4 for both modes: 5e-5 rises
// more slowly, 2e-4 collapses soft training (docs/results.md). 192 validation problems: two sets of 48 disagreed by
// 31 points on the same base model, too noisy to select a checkpoint by. QUICK (the CI test) keeps the full
// pretraining: on a 600-step base the hard reward's rise was not clear on every seed.
const FULL: DemoSizes = { trainProblems: 8000, testProblems: 48, valProblems: 192, validateEvery: 10, lazyShare: 0.5, sftSteps: 800, rlSteps: 120, promptsPerStep: 8, samplesPerPrompt: 8, evalSamples: 8, lr: 1e-4 };
const QUICK: DemoSizes = { trainProblems: 8000, testProblems: 16, valProblems: 16, validateEvery: 20, lazyShare: 0.5, sftSteps: 800, rlSteps: 60, promptsPerStep: 8, samplesPerPrompt: 8, evalSamples: 4, lr: 1e-4 };
/** CoT budget in tokens: a two-step chain and the stop string take at most 18. */
const MAX_COT_TOKENS = 32;

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const log = o.log ?? ((l: string) => console.log(l));
  const sizes = o.quick ? QUICK : FULL;
  const seed = o.seed ?? 0;
  const t0 = performance.now();
  const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)}s`;
  await useBackend(o.backend ?? 'wasm');
  fs.mkdirSync(o.outDir, { recursive: true });

  // 1. Task: two-step chains of single-digit additions and subtractions, e.g. 8-1+4 -> "8-1=7. 7+4=11."
  const format = syntheticPromptFormat('paper');
  const splits = generateSyntheticSplits('arithmetic', { nTrain: sizes.trainProblems, nTest: sizes.testProblems + sizes.valProblems, seed, difficulty: 2, ops: ['+', '-'] });
  const { train } = splits;
  const test = splits.test.slice(0, sizes.testProblems);
  const validation = splits.test.slice(sizes.testProblems);
  // Characters, plus the format's fixed phrases as single tokens: the stop string is one CoT step, not 21.
  const tokenizer = new CharTokenizer(syntheticAlphabet('arithmetic', { format }).join(''), { pieces: syntheticPieces(format) });
  const sftData = withLazySolutions(train, { share: sizes.lazyShare, seed });
  const lazyExample = sftData.find((e) => e.row.lazy === true);
  log(`task: ${train.length} train / ${validation.length} validation / ${test.length} test arithmetic chains, e.g. "${train[0]!.question}" -> ${train[0]!.answer}; vocab ${tokenizer.vocabSize} tokens`);
  if (lazyExample) log(`pretraining mix: ${(100 * sizes.lazyShare).toFixed(0)} % of the solutions stop after the first step, e.g. "${lazyExample.question}": "${lazyExample.solution}"`);

  // 2. Base model by supervised training.
  const config = parseModelConfig(
    makeConfigJson('llama', { vocabSize: tokenizer.vocabSize, hiddenSize: 64, intermediateSize: 192, numLayers: 2, numHeads: 4, numKvHeads: 2, maxPositionEmbeddings: 256, tieWordEmbeddings: true, bosTokenId: 1, eosTokenId: 2, padTokenId: 0 }),
  );
  const base = initModel(config, seed);
  log(`[${elapsed()}] supervised pretraining: ${sizes.sftSteps} steps of 32 examples`);
  supervisedFineTune(base, tokenizer, sftData, {
    format,
    steps: sizes.sftSteps,
    batchSize: 32,
    lr: 3e-3,
    warmupSteps: 20,
    seed,
    onStep: (step, loss) => {
      if (step % 100 === 0 || step === sizes.sftSteps) log(`  sft step ${step}/${sizes.sftSteps}  loss ${loss.toFixed(3)}`);
    },
  });
  saveModel(base, path.join(o.outDir, 'base'), { dtype: 'float32' });
  tokenizer.save(path.join(o.outDir, 'base'));
  const sigma = noiseSigma(base.embeddingMatrix, 0.33);

  const evalOpts = { format, samples: sizes.evalSamples, ks: [1, 2, 4, 8], maxCotTokens: MAX_COT_TOKENS, maxAnswerTokens: 8, sigma, seed, batchSize: 64 };
  const evalModel = async (model: CausalLM, name: string) => {
    log(`[${elapsed()}] evaluating ${name} on ${test.length} test problems, six inference settings`);
    const r = await evaluate(model, tokenizer, test, evalOpts);
    return r.summaries;
  };
  const baseSummaries = await evalModel(base, 'base model');

  // 3. RL from the same base in soft and hard mode: same budget and hyper-parameters.
  const trained = {} as DemoResult['trained'];
  const best = {} as DemoResult['best'];
  const curves = {} as DemoResult['rewardCurves'];
  const validationScore = pass1Scorer(tokenizer, validation, { ...evalOpts, samples: 1 });
  const baseValidation = await validationScore(base);
  log(`[${elapsed()}] base model: hard greedy pass@1 ${(100 * baseValidation).toFixed(1)} % on the ${validation.length} validation problems`);
  for (const mode of ['soft', 'hard'] as const satisfies readonly CotMode[]) {
    const model = cloneModel(base);
    log(`[${elapsed()}] RLOO in ${mode} mode: ${sizes.rlSteps} steps x ${sizes.promptsPerStep} prompts x ${sizes.samplesPerPrompt} samples`);
    const trainer = new RLOOTrainer({
      model,
      tokenizer,
      format,
      cot: { mode, maxTokens: MAX_COT_TOKENS },
      reward: 'verifier',
      promptsPerStep: sizes.promptsPerStep,
      samplesPerPrompt: sizes.samplesPerPrompt,
      microBatch: 32,
      maxAnswerTokens: 8,
      steps: sizes.rlSteps,
      lr: sizes.lr,
      warmupSteps: 5,
      maxGradNorm: 1.0,
      outputDir: path.join(o.outDir, `rl-${mode}`),
      saveEvery: sizes.rlSteps,
      resume: false,
      seed,
      progress: false,
      validation: { every: sizes.validateEvery, score: validationScore },
      onStep: (m) =>
        log(
          `  ${mode} step ${m.step}/${sizes.rlSteps}  reward ${m.rewardMean.toFixed(1)}  cot ${m.cotLengthMean.toFixed(1)}  |g| ${m.gradNorm.toFixed(1)}  ${m.stepSeconds.toFixed(1)}s` +
            (m.validation !== undefined ? `  validation greedy pass@1 ${(100 * m.validation).toFixed(1)}` : ''),
        ),
    });
    const result = await trainer.train(train);
    curves[mode] = result.metrics;
    trainer.dispose();
    trained[mode] = await evalModel(model, `${mode}-trained model`);
    model.dispose();
    const { step, value } = result.best!;
    let summaries: SettingSummary[] | null = null;
    if (step > 0 && step < sizes.rlSteps) {
      const bestModel = loadModel(path.join(o.outDir, `rl-${mode}`, 'best'));
      summaries = await evalModel(bestModel, `${mode} best-validation checkpoint (step ${step})`);
      bestModel.dispose();
    }
    best[mode] = { step, value, summaries };
  }

  // 4. Report.
  const report = demoReport(baseSummaries, trained, { ...best, base: baseValidation }, curves, sizes, (performance.now() - t0) / 1000);
  writeFileAtomic(path.join(o.outDir, 'results.md'), report);
  writeJsonAtomic(path.join(o.outDir, 'summary.json'), { sizes, base: baseSummaries, trained, best, baseValidation, seconds: (performance.now() - t0) / 1000 });
  writeSvg(
    path.join(o.outDir, 'reward-curve.svg'),
    lineChart({
      title: 'RLOO training reward (verifier: 100 correct, 10 boxed but wrong, 0 none)',
      xLabel: 'step',
      yLabel: 'mean reward (10-step running mean)',
      series: (['soft', 'hard'] as const).map((mode) => ({ name: `${mode} training`, points: smooth(curves[mode].map((m) => [m.step, m.rewardMean] as const)) })),
    }),
  );
  log('\n' + report);
  log(`outputs in ${o.outDir}: results.md, summary.json, reward-curve.svg, rl-*/metrics.jsonl, checkpoints`);
  base.dispose();
  tf.disposeVariables();
  return { base: baseSummaries, trained, best, baseValidation, rewardCurves: curves, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Mean training reward over the first and the last `window` steps, and Welch's t statistic of the difference
 * (each step's mean reward is one sample): t > 2 says the reward went up by more than its step-to-step noise.
 */
export function rewardRise(metrics: StepMetrics[], window: number): { first: number; last: number; t: number } {
  if (!(window >= 2 && 2 * window <= metrics.length)) throw new Error(`rewardRise: need 2 windows of ${window} >= 2 steps, got ${metrics.length} steps`);
  const a = meanStd(metrics.slice(0, window).map((m) => m.rewardMean));
  const b = meanStd(metrics.slice(-window).map((m) => m.rewardMean));
  const se = Math.sqrt((a.std ** 2 + b.std ** 2) / window);
  return { first: a.mean, last: b.mean, t: se > 0 ? (b.mean - a.mean) / se : b.mean > a.mean ? Infinity : b.mean < a.mean ? -Infinity : 0 };
}

/** Running mean over 10 steps, so the reward curve's trend is visible through the sampling noise. */
function smooth(points: (readonly [number, number])[]): [number, number][] {
  return points.map(([x], i) => {
    const w = points.slice(Math.max(0, i - 9), i + 1);
    return [x, w.reduce((a, [, y]) => a + y, 0) / w.length];
  });
}

function demoReport(base: SettingSummary[], trained: DemoResult['trained'], best: DemoResult['best'] & { base: number }, curves: DemoResult['rewardCurves'], sizes: DemoSizes, seconds: number): string {
  const lines = [`# softcot demo results`, '', `Sizes: ${JSON.stringify(sizes)}. Wall time ${seconds.toFixed(0)} s.`, ''];
  for (const [name, s] of [['base model', base], ['soft-trained (final)', trained.soft], ['hard-trained (final)', trained.hard]] as const) {
    lines.push(`## ${name}`, '', summaryTable(s, [1, 2, 4, 8]), '');
  }
  lines.push('## best greedy-validation checkpoint (hard greedy pass@1 on the validation problems; step 0 is the base)', '');
  lines.push(`- base: ${(100 * best.base).toFixed(1)} %`);
  for (const mode of ['soft', 'hard'] as const) {
    const b = best[mode];
    const which = b.step === 0 ? 'the base model: no RL step beat it' : b.step === sizes.rlSteps ? 'the final model' : 'evaluated below';
    lines.push(`- ${mode}: step ${b.step}, validation ${(100 * b.value).toFixed(1)} % (${which})`);
  }
  lines.push('');
  for (const mode of ['soft', 'hard'] as const) {
    const s = best[mode].summaries;
    if (s) lines.push(`## ${mode}-trained, best checkpoint (step ${best[mode].step})`, '', summaryTable(s, [1, 2, 4, 8]), '');
  }
  const window = Math.max(2, Math.floor(sizes.rlSteps / 6));
  lines.push(`## training reward (verifier, sampled answers), mean of the first and last ${window} steps`, '', '| mode | first | last | t (Welch) |', '|---|---|---|---|');
  for (const mode of ['soft', 'hard'] as const) {
    const r = rewardRise(curves[mode], window);
    lines.push(`| ${mode} | ${r.first.toFixed(1)} | ${r.last.toFixed(1)} | ${r.t.toFixed(1)} |`);
  }
  lines.push('', `Settings: ${SIX_SETTINGS.length} inference settings; answers greedy; pass@k from ${sizes.evalSamples} samples.`);
  return lines.join('\n') + '\n';
}

export type { Example };
