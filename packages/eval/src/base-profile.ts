// Is a base model fit for comparing training modes (method.md §8)? The paper's claims are about bases whose soft and
// hard policies nearly coincide before training (Llama-3.2-3B on GSM8K: soft/hard greedy 0.96, fuzzy sample/greedy
// 0.98). A base that cannot read mixtures turns soft training into training a different, much worse policy.
import type { SettingSummary } from './evaluate';

/** The thresholds of method.md §8. */
export const FIT_RATIO = 0.9;

export interface BaseProfile {
  hardGreedy: number;
  softGreedy: number;
  fuzzyGreedy: number;
  fuzzySample: number;
  /** soft greedy pass@1 / hard greedy pass@1 */
  softOverHard: number;
  /** fuzzy sample pass@1 / fuzzy greedy pass@1 */
  fuzzySampleOverGreedy: number;
  fit: boolean;
  /** One line: "fit for comparing training modes" or what fails. */
  verdict: string;
}

/** The profile of a base from its evaluation (it needs hard greedy, soft greedy, fuzzy greedy and fuzzy sample). */
export function baseProfile(summaries: readonly SettingSummary[]): BaseProfile {
  const pass1 = (mode: string, greedy: boolean) => {
    const s = summaries.find((x) => x.mode === mode && x.greedy === greedy);
    if (!s) throw new Error(`baseProfile: the evaluation has no ${mode} ${greedy ? 'greedy' : 'sample'} setting`);
    return s.pass1;
  };
  const hardGreedy = pass1('hard', true);
  const softGreedy = pass1('soft', true);
  const fuzzyGreedy = pass1('fuzzy', true);
  const fuzzySample = pass1('fuzzy', false);
  const ratio = (a: number, b: number) => (b > 0 ? a / b : a > 0 ? Infinity : NaN);
  const softOverHard = ratio(softGreedy, hardGreedy);
  const fuzzySampleOverGreedy = ratio(fuzzySample, fuzzyGreedy);
  const fails: string[] = [];
  if (!(softOverHard >= FIT_RATIO)) fails.push(`soft/hard greedy ${fmt(softOverHard)} < ${FIT_RATIO}`);
  if (!(fuzzySampleOverGreedy >= FIT_RATIO)) fails.push(`fuzzy sample/greedy ${fmt(fuzzySampleOverGreedy)} < ${FIT_RATIO}`);
  const fit = fails.length === 0;
  const verdict = fit
    ? `fit for comparing training modes (soft/hard greedy ${fmt(softOverHard)}, fuzzy sample/greedy ${fmt(fuzzySampleOverGreedy)}, both ≥ ${FIT_RATIO})`
    : `not fit for comparing training modes: ${fails.join('; ')}`;
  return { hardGreedy, softGreedy, fuzzyGreedy, fuzzySample, softOverHard, fuzzySampleOverGreedy, fit, verdict };
}

/** A markdown table of the profile, and the verdict. */
export function baseProfileMarkdown(p: BaseProfile): string {
  const pct = (x: number) => (100 * x).toFixed(1);
  return [
    '| hard greedy | soft greedy | fuzzy greedy | fuzzy sample | soft/hard greedy | fuzzy sample/greedy |',
    '|---|---|---|---|---|---|',
    `| ${pct(p.hardGreedy)} | ${pct(p.softGreedy)} | ${pct(p.fuzzyGreedy)} | ${pct(p.fuzzySample)} | ${fmt(p.softOverHard)} | ${fmt(p.fuzzySampleOverGreedy)} |`,
    '',
    `Verdict: **${p.verdict}**.`,
  ].join('\n');
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(2) : String(x);
}
