// Per-step metrics: one JSON object per line in outputDir/metrics.jsonl, and a readable progress line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileError, makeFolder, parseJsonText, readTextFile } from '@softcot/base';
import { appendJsonl, writeJsonl } from '@softcot/data';

export interface StepMetrics {
  step: number;
  loss: number;
  rewardMean: number;
  rewardStd: number;
  /** Samples whose reward was null (not applicable). */
  rewardNull: number;
  /** Fraction of prompt groups whose rewards are all equal (no learning signal). */
  zeroSpreadGroups: number;
  /** Verifier reward: the share of the CoTs that reached the stop string whose answer was correct; else null. */
  finishedCorrect: number | null;
  /**
   * Cosine between the gradients of the batch's two halves (null when not measured): about 0 means the update is
   * mostly sampling noise ("drifting"), clearly positive means the halves agree on a direction ("learning").
   */
  gradientCosine: number | null;
  cotLengthMean: number;
  stopReasons: Record<string, number>;
  entropyMean: number;
  gradNorm: number;
  lr: number;
  tokensPerSecond: number;
  stepSeconds: number;
  rolloutSeconds: number;
  rewardSeconds: number;
  /** Why the update was skipped (NaN/Inf), or null. */
  skipped: string | null;
  /** The validation score after this step, on steps where validation ran. */
  validation?: number;
}

export class MetricsLog {
  constructor(readonly file: string) {
    makeFolder(path.dirname(file));
  }

  append(m: StepMetrics): void {
    appendJsonl(this.file, m);
  }

  /**
   * Drop lines of steps after `step` (written after the checkpoint we resume from). A last line cut off by a crash
   * is dropped too; the returned note says so (null when there was none).
   */
  truncateAfter(step: number): string | null {
    if (!fs.existsSync(this.file)) return null;
    const { metrics, cutOff } = readMetricsFile(this.file);
    writeJsonl(this.file, metrics.filter((m) => m.step <= step));
    return cutOff === null ? null : `${this.file}:${cutOff}: dropped a cut-off last line (the run was interrupted while writing it)`;
  }
}

/**
 * The metrics of a metrics.jsonl file, and the line number of a cut-off last line that was left out (a process
 * killed while appending), or null. A bad line before the last is an error naming the file and line.
 */
export function readMetricsFile(file: string): { metrics: StepMetrics[]; cutOff: number | null } {
  const lines = readTextFile(file, { what: 'metrics file' }).split('\n');
  const numbered = lines.map((text, i) => ({ text, line: i + 1 })).filter((l) => l.text.trim() !== '');
  const metrics: StepMetrics[] = [];
  let cutOff: number | null = null;
  numbered.forEach(({ text, line }, i) => {
    let m: unknown;
    try {
      m = parseJsonText(text, `${file}:${line}`);
    } catch (e) {
      if (i === numbered.length - 1) {
        cutOff = line;
        return;
      }
      throw new FileError(`${file}:${line}`, `not a JSON metrics line (${(e as FileError).detail ?? (e as Error).message}); only a cut-off last line is repaired`);
    }
    if (m === null || typeof m !== 'object' || !Number.isInteger((m as StepMetrics).step))
      throw new FileError(`${file}:${line}`, 'not a metrics line (no integer "step")');
    metrics.push(m as StepMetrics);
  });
  return { metrics, cutOff };
}

/** The metrics of a metrics.jsonl file (a cut-off last line left out). */
export function readMetrics(file: string): StepMetrics[] {
  return readMetricsFile(file).metrics;
}

export function formatProgress(m: StepMetrics, total: number): string {
  const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
  const stops = Object.entries(m.stopReasons).map(([k, v]) => `${k}:${v}`).join(',');
  return (
    `step ${m.step}/${total}  reward ${f(m.rewardMean)}±${f(m.rewardStd)}  flat-groups ${f(m.zeroSpreadGroups)}  ` +
    (m.finishedCorrect !== null ? `correct/finished ${f(m.finishedCorrect)}  ` : '') +
    (m.gradientCosine !== null ? `cos(g1,g2) ${f(m.gradientCosine)}  ` : '') +
    `cot ${f(m.cotLengthMean, 1)} (${stops})  H ${f(m.entropyMean)}  |g| ${f(m.gradNorm, 3)}  lr ${m.lr.toExponential(2)}  ` +
    `${f(m.tokensPerSecond, 0)} tok/s  ${f(m.stepSeconds, 1)}s${m.validation !== undefined ? `  val ${f(m.validation, 3)}` : ''}${m.skipped ? `  SKIPPED: ${m.skipped}` : ''}`
  );
}
