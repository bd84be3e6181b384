// Writing an evaluation to a folder: per-problem JSONL, summary.json, summary.md and SVG plots
// (pass@k per setting, next-token entropy by CoT position).
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '@softcot/base';
import { writeJsonl } from '@softcot/data';
import { summaryTable, type EvalResult, type SettingSummary } from './evaluate';
import { lineChart, writeSvg } from './plot';

export interface EvalReportMeta {
  model?: string;
  data?: string;
  [k: string]: unknown;
}

export interface EvalReportFiles {
  problems: string;
  summaryJson: string;
  summaryMd: string;
  passkSvg: string;
  entropySvg: string;
}

/** pass@k curves: one series per setting (sampled settings with their k values; greedy ones as a flat pass@1). */
export function passAtKChart(summaries: readonly SettingSummary[], title = 'pass@k by inference setting'): string {
  const maxK = Math.max(1, ...summaries.flatMap((s) => Object.keys(s.passAtK).map(Number)));
  return lineChart({
    title,
    xLabel: 'k',
    yLabel: 'pass@k (%)',
    logX: maxK > 1,
    yRange: [0, 100],
    series: summaries.map((s) => ({
      name: s.setting,
      points: s.greedy
        ? maxK > 1
          ? [[1, 100 * s.pass1] as const, [maxK, 100 * s.pass1] as const]
          : [[1, 100 * s.pass1] as const]
        : Object.entries(s.passAtK)
            .map(([k, x]) => [Number(k), 100 * x] as const)
            .sort((a, b) => a[0] - b[0]),
    })),
  });
}

export function entropyChart(summaries: readonly SettingSummary[], title = 'mean next-token entropy by CoT position'): string {
  return lineChart({
    title,
    xLabel: 'CoT position',
    yLabel: 'entropy (nats)',
    series: summaries.map((s) => ({ name: s.setting, points: s.entropyByPosition.map((h, p) => [p, h] as const) })),
  });
}

/** A markdown report: header with the run's metadata, then the summary table. */
export function evalMarkdown(result: EvalResult, meta: EvalReportMeta = {}, ks?: readonly number[]): string {
  const lines = ['# softcot evaluation', ''];
  for (const [k, v] of Object.entries(meta)) if (v !== undefined) lines.push(`- ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  lines.push('', 'pass@1 is greedy pass@1 for greedy settings and the mean sample accuracy for sampled ones (%).', '');
  lines.push(summaryTable(result.summaries, (ks ?? [1, 2, 4, 8, 16, 32]).filter((k) => k > 1)), '');
  return lines.join('\n');
}

/**
 * Write `problems.jsonl` (one line per problem and setting, with each sample's CoT text, completion, extracted
 * answer and verdict), `summary.json`, `summary.md`, `passk.svg` and `entropy.svg` into `dir`.
 */
export function writeEvalReport(dir: string, result: EvalResult, meta: EvalReportMeta = {}, opts: { ks?: readonly number[] } = {}): EvalReportFiles {
  const files: EvalReportFiles = {
    problems: join(dir, 'problems.jsonl'),
    summaryJson: join(dir, 'summary.json'),
    summaryMd: join(dir, 'summary.md'),
    passkSvg: join(dir, 'passk.svg'),
    entropySvg: join(dir, 'entropy.svg'),
  };
  const rows = result.problems.map((p) => ({
      id: p.id,
      setting: p.setting,
      question: p.question,
      reference: p.reference,
      correct: p.correct,
    samples: p.samples.map((s) => ({ cot: s.cotText, completion: s.completion, answer: s.extracted, correct: s.correct, cotLength: s.cotLength, cotStop: s.cotStop })),
  }));
  writeJsonl(files.problems, rows);
  writeJsonAtomic(files.summaryJson, { meta, summaries: result.summaries });
  writeFileAtomic(files.summaryMd, evalMarkdown(result, meta, opts.ks));
  writeSvg(files.passkSvg, passAtKChart(result.summaries));
  writeSvg(files.entropySvg, entropyChart(result.summaries));
  return files;
}
