// Per-step metrics: one JSON object per line in outputDir/metrics.jsonl, and a readable progress line.
import * as fs from 'node:fs';
import * as path from 'node:path';
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
    fs.mkdirSync(path.dirname(file), { recursive: true });
  }

  append(m: StepMetrics): void {
    appendJsonl(this.file, m);
  }

  /** Drop lines of steps after `step` (written after the checkpoint we resume from). */
  truncateAfter(step: number): void {
    if (!fs.existsSync(this.file)) return;
    const kept = readMetrics(this.file).filter((m) => m.step <= step);
    writeJsonl(this.file, kept);
  }
}

export function readMetrics(file: string): StepMetrics[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as StepMetrics;
      } catch {
        throw new Error(`${file}:${i + 1}: not a JSON metrics line`);
      }
    });
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
