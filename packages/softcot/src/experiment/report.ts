// The report of an experiment: results.md (the base profile first, then training mode × inference mode tables,
// mean ± sample std over seeds), summary.json, and SVG plots (pass@k per inference mode, training reward, entropy).
import * as path from 'node:path';
import { meanStd, rise, writeFileAtomic, writeJsonAtomic, type MeanStd } from '@softcot/base';
import { COT_MODES, type CotMode } from '@softcot/mixer';
import { baseProfileMarkdown, lineChart, PALETTE, runningMean, writeSvg, type SettingSummary } from '@softcot/eval';
import type { ExperimentResult, ModelEval, RunResult } from './pipeline';
import { fmtDuration } from './pipeline';
import { scaledGamma } from './config';

/** A group of runs trained the same way (one per seed): "soft", or "soft, γ·√(d/3072)". */
interface TrainingGroup {
  label: string;
  runs: RunResult[];
}

function trainingGroups(r: ExperimentResult): TrainingGroup[] {
  const groups: TrainingGroup[] = [];
  for (const mode of r.config.modes)
    for (const scaled of [false, true]) {
      const runs = r.runs.filter((x) => x.spec.mode === mode && x.spec.scaledNoise === scaled);
      if (runs.length > 0) groups.push({ label: scaled ? `${mode}, γ·√(d/3072)` : mode, runs });
    }
  return groups;
}

/** The rise window of a run's reward series: a sixth of its steps (at least 2). */
export function riseWindow(steps: number): number {
  return Math.max(2, Math.floor(steps / 6));
}

export function rewardRise(metrics: RunResult['metrics']): { first: number; last: number; t: number } | null {
  const w = riseWindow(metrics.length);
  return metrics.length >= 2 * w ? rise(metrics.map((m) => m.rewardMean), w) : null;
}

const pct = (s: MeanStd) => (Number.isNaN(s.mean) ? '–' : s.n > 1 ? `${(100 * s.mean).toFixed(1)} ± ${(100 * s.std).toFixed(1)}` : (100 * s.mean).toFixed(1));
const num = (s: MeanStd, digits: number) => (Number.isNaN(s.mean) ? '–' : s.n > 1 ? `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}` : s.mean.toFixed(digits));

function summary(e: ModelEval, mode: CotMode, greedy: boolean): SettingSummary | undefined {
  return e.summaries.find((x) => x.mode === mode && x.greedy === greedy);
}

type Metric = { title: string; value: (e: ModelEval, inference: CotMode) => number };

function metrics(maxK: number): Metric[] {
  const at = (e: ModelEval, m: CotMode, greedy: boolean, f: (s: SettingSummary) => number | undefined) => {
    const s = summary(e, m, greedy);
    return s ? (f(s) ?? NaN) : NaN;
  };
  return [
    { title: 'greedy pass@1 (%)', value: (e, m) => at(e, m, true, (s) => s.pass1) },
    { title: 'sample pass@1 (%)', value: (e, m) => at(e, m, false, (s) => s.pass1) },
    { title: `pass@${maxK} (%)`, value: (e, m) => at(e, m, false, (s) => s.passAtK[maxK]) },
    { title: `maj@${maxK} (%)`, value: (e, m) => at(e, m, false, (s) => s.majAtK?.[maxK]) },
  ];
}

export function experimentMarkdown(r: ExperimentResult): string {
  const c = r.config;
  const maxK = Math.max(...c.eval.ks);
  const inference = COT_MODES.filter((m) => r.base.summaries.some((s) => s.mode === m));
  const groups = trainingGroups(r);
  const m = c.sft.mixture;
  const lines: string[] = [
    `# ${c.title}`,
    '',
    `Task: ${c.task.steps}-step arithmetic chains (ops ${c.task.ops.join(' ')}), ${c.task.trainProblems} training / ${c.task.valProblems} validation / ` +
      `${c.task.testProblems} test problems; ${(100 * c.task.lazyShare).toFixed(0)} % of the supervised solutions stop after the first step. ` +
      `Model: Llama-style, hidden ${c.model.hiddenSize}, ${c.model.numLayers} layer${c.model.numLayers === 1 ? '' : 's'}. Base: ${c.sft.steps} supervised steps of ${c.sft.batchSize}` +
      (m.share > 0 ? `, mixture-tolerant pretraining on ${(100 * m.share).toFixed(0)} % of the rows (${m.schedule}; method.md §8, a deviation from the paper's setting)` : '') +
      `. RLOO: ${c.rl.steps} steps × ${c.rl.promptsPerStep} prompts × ${c.rl.samplesPerPrompt} samples, lr ${c.rl.lr.toExponential()}, verifier reward 100/10/0, ` +
      `γ = ${c.noiseGamma}${c.gammaSensitivity ? ` (sensitivity runs: γ·√(d/3072) = ${scaledGamma(c).toFixed(4)})` : ''}, the same for every mode; seeds ${c.seeds.join(', ')}. ` +
      `Evaluation: ${c.eval.samples} samples per problem for the sampled settings, answers greedy. Mean ± sample std over seeds. Wall time ${fmtDuration(r.seconds)}.`,
    '',
    '## Base profile (method.md §8)',
    '',
    baseProfileMarkdown(r.profile),
    '',
  ];
  const rows = (metric: Metric, withBest: boolean) => {
    const out = [`| training \\ inference | ${inference.join(' | ')} |`, `|---|${inference.map(() => '---|').join('')}`];
    out.push(`| base | ${inference.map((i) => pct(meanStd([metric.value(r.base, i)]))).join(' | ')} |`);
    for (const g of groups) {
      out.push(`| ${g.label} | ${inference.map((i) => pct(meanStd(g.runs.map((x) => metric.value(x.final, i))))).join(' | ')} |`);
      if (withBest) {
        const best = g.runs.map((x) => x.best?.eval ?? (x.best && x.best.step === 0 ? r.base : x.final));
        if (g.runs.some((x) => x.best)) out.push(`| ${g.label}, best validation | ${inference.map((i) => pct(meanStd(best.map((e) => metric.value(e, i))))).join(' | ')} |`);
      }
    }
    return out;
  };
  for (const metric of metrics(maxK)) lines.push(`## ${metric.title}: training mode × inference mode`, '', ...rows(metric, c.rl.validateEvery > 0), '');

  const w = riseWindow(c.rl.steps);
  lines.push(
    `## Training reward: mean of the first and last ${w} steps, and Welch's t of the rise`,
    '',
    '| training | seed | first | last | t | cos(g₁,g₂) first → last | correct / finished CoTs, first → last | CoT length, first → last |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const g of groups)
    for (const run of g.runs) {
      const rr = rewardRise(run.metrics);
      const series = (f: (m: RunResult['metrics'][number]) => number | null) => run.metrics.map(f).map((x) => (x === null ? NaN : x));
      const ends = (xs: number[]) => {
        const ok = (ys: number[]) => ys.filter(Number.isFinite);
        const at = (ys: number[]) => (ok(ys).length > 0 ? meanStd(ok(ys)).mean.toFixed(2) : '–');
        return `${at(xs.slice(0, w))} → ${at(xs.slice(-w))}`;
      };
      lines.push(
        `| ${g.label} | ${run.spec.seed} | ${rr ? rr.first.toFixed(1) : '–'} | ${rr ? rr.last.toFixed(1) : '–'} | ${rr ? rr.t.toFixed(1) : '–'} | ${ends(series((m) => m.gradientCosine))} | ` +
          `${ends(series((m) => m.finishedCorrect))} | ${ends(series((m) => m.cotLengthMean))} |`,
      );
    }
  lines.push('');
  const risen = groups.map((g) => `${g.label} ${g.runs.filter((x) => (rewardRise(x.metrics)?.t ?? 0) > 2).length}/${g.runs.length}`);
  lines.push(`Runs whose reward rose (t > 2): ${risen.join(', ')}.`, '');

  if (c.rl.validateEvery > 0) {
    lines.push('## Best greedy-validation checkpoint (hard greedy pass@1 on the validation problems; step 0 is the base)', '');
    if (r.baseValidation !== null) lines.push(`- base: ${(100 * r.baseValidation).toFixed(1)} %`);
    for (const g of groups) for (const run of g.runs) if (run.best) lines.push(`- ${g.label}, seed ${run.spec.seed}: step ${run.best.step}, ${(100 * run.best.value).toFixed(1)} %`);
    lines.push('');
  }

  lines.push('## CoT entropy and out-of-domain text', '', '| model | mean CoT entropy (hard sample, nats) | OOD answer NLL (nats/token) | OOD accuracy (%) |', '|---|---|---|---|');
  const entropyRow = (name: string, evals: ModelEval[]) =>
    `| ${name} | ${num(meanStd(evals.map((e) => e.cotEntropy)), 4)} | ${evals[0]!.ood ? num(meanStd(evals.map((e) => e.ood!.answerNll)), 4) : '–'} | ${evals[0]!.ood ? pct(meanStd(evals.map((e) => e.ood!.accuracy))) : '–'} |`;
  lines.push(entropyRow('base', [r.base]));
  for (const g of groups) lines.push(entropyRow(`${g.label}-trained`, g.runs.map((x) => x.final)));
  lines.push('', '## Plots', '');
  for (const f of plotFiles(inference)) lines.push(`![${f.title}](img/${f.file})`, '');
  return lines.join('\n');
}

function plotFiles(inference: readonly CotMode[]): { file: string; title: string }[] {
  return [
    ...inference.map((m) => ({ file: `passk-${m}-inference.svg`, title: `pass@k under ${m} inference` })),
    { file: 'reward.svg', title: 'training reward' },
    { file: 'entropy.svg', title: 'CoT entropy by position' },
  ];
}

export function writeExperimentReport(outDir: string, r: ExperimentResult): void {
  const c = r.config;
  const img = path.join(outDir, 'img');
  const inference = COT_MODES.filter((m) => r.base.summaries.some((s) => s.mode === m));
  const models: [string, ModelEval[]][] = [['base', [r.base]], ...trainingGroups(r).map((g) => [`${g.label}-trained`, g.runs.map((x) => x.final)] as [string, ModelEval[]])];
  const color = (i: number) => PALETTE[i % PALETTE.length]!;
  for (const mode of inference)
    writeSvg(
      path.join(img, `passk-${mode}-inference.svg`),
      lineChart({
        title: `pass@k under ${mode} sampling (mean over seeds; band ± std)`,
        xLabel: 'k',
        yLabel: 'pass@k (%)',
        logX: true,
        yRange: [0, 100],
        series: models.map(([name, evals], i) => {
          const at = (k: number) => meanStd(evals.map((e) => 100 * (summary(e, mode, false)?.passAtK[k] ?? NaN)));
          return { name, color: color(i), points: c.eval.ks.map((k) => [k, at(k).mean] as const), ...(evals.length > 1 ? { band: c.eval.ks.map((k) => [k, at(k).mean - at(k).std, at(k).mean + at(k).std] as const) } : {}) };
        }),
      }),
    );
  writeSvg(
    path.join(img, 'reward.svg'),
    lineChart({
      title: 'RLOO training reward (verifier; mean over seeds, running mean; band ± std of the running mean)',
      xLabel: 'step',
      yLabel: 'mean reward',
      series: trainingGroups(r).map((g, i) => {
        const len = Math.min(...g.runs.map((x) => x.metrics.length));
        const points = Array.from({ length: len }, (_, s) => [s + 1, meanStd(g.runs.map((x) => x.metrics[s]!.rewardMean)).mean] as const);
        const smooth = runningMean(points, Math.max(1, Math.round(len / 12)));
        return { name: `${g.label} training`, color: color(i + 1), points: smooth.mean, band: smooth.band };
      }),
    }),
  );
  writeSvg(
    path.join(img, 'entropy.svg'),
    lineChart({
      title: 'next-token entropy by CoT position (hard sampling, mean over seeds)',
      xLabel: 'CoT position',
      yLabel: 'entropy (nats)',
      series: models.map(([name, evals], i) => {
        const curves = evals.map((e) => summary(e, 'hard', false)?.entropyByPosition ?? []);
        const len = Math.min(...curves.map((h) => h.length));
        return { name, color: color(i), points: Array.from({ length: len }, (_, p) => [p, meanStd(curves.map((h) => h[p]!)).mean] as const) };
      }),
    }),
  );
  writeFileAtomic(path.join(outDir, 'results.md'), experimentMarkdown(r));
  writeJsonAtomic(path.join(outDir, 'summary.json'), {
    config: c,
    seconds: r.seconds,
    profile: r.profile,
    baseValidation: r.baseValidation,
    base: r.base,
    runs: r.runs.map((x) => ({ spec: x.spec, final: x.final, best: x.best, rewardRise: rewardRise(x.metrics) })),
  });
}
