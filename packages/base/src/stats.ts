// The statistics every report shares, with one convention: the standard deviation is the sample one (n − 1), the
// spread of a sample as an estimate of its population's (0 for a single value).

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n − 1); 0 for one value, NaN for none. */
export function std(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  if (xs.length === 1) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

export interface MeanStd {
  mean: number;
  std: number;
  n: number;
}

export function meanStd(xs: readonly number[]): MeanStd {
  return { mean: mean(xs), std: std(xs), n: xs.length };
}

/**
 * Welch's t statistic of mean(b) − mean(a) for two independent samples with unequal variances:
 *   t = (mean_b − mean_a) / sqrt(s_a²/n_a + s_b²/n_b).
 * ±Infinity when both samples are constant and differ; 0 when they are constant and equal.
 */
export function welchT(a: readonly number[], b: readonly number[]): number {
  const x = meanStd(a);
  const y = meanStd(b);
  if (x.n < 2 || y.n < 2) throw new Error(`welchT: each sample needs at least 2 values, got ${x.n} and ${y.n}`);
  const se = Math.sqrt(x.std ** 2 / x.n + y.std ** 2 / y.n);
  const d = y.mean - x.mean;
  return se > 0 ? d / se : d > 0 ? Infinity : d < 0 ? -Infinity : 0;
}

/**
 * Did a per-step series (e.g. a training reward) rise? The means of its first and last `window` values and Welch's
 * t of the difference: t > 2 says it went up by more than its step-to-step noise.
 */
export function rise(series: readonly number[], window: number): { first: number; last: number; t: number } {
  if (!(Number.isInteger(window) && window >= 2 && 2 * window <= series.length))
    throw new Error(`rise: need two windows of ${window} >= 2 values, got ${series.length} values`);
  const a = series.slice(0, window);
  const b = series.slice(-window);
  return { first: mean(a), last: mean(b), t: welchT(a, b) };
}
