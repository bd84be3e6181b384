// Evaluation over the inference settings (method.md §5): every CoT mode, greedy or sampled (the paper's six
// settings are hard/soft/fuzzy; gumbel and multiplex add four); answers always greedy. Problems go through the KV-cached rollout engine in batches; answers are graded by
// the shared grader. Reports greedy pass@1, sample pass@1, pass@k (unbiased), CoT length, stop reasons and
// next-token entropy by CoT position.
import type { CausalLM, Tokenizer } from '@softcot/model';
import { COT_MODES, GAUSSIAN_MODES, cotLabel, noiseSigma, resolveCot, type CotMode, type CotPolicy, type CotSettings } from '@softcot/mixer';
import { rollout } from '@softcot/rollout';
import { gradeCompletion, type ExtractMode } from '@softcot/rewards';
import type { Example, PromptFormat } from '@softcot/data';
import { meanPassAtK } from './passk';

export interface InferenceSetting {
  mode: CotMode;
  greedy: boolean;
}

const bothWays = (modes: readonly CotMode[]): InferenceSetting[] => modes.flatMap((mode) => [{ mode, greedy: true }, { mode, greedy: false }]);

/** The paper's six inference settings: hard, soft and fuzzy CoT, greedy and sampled (method.md §5). */
export const SIX_SETTINGS: readonly InferenceSetting[] = bothWays(['hard', 'soft', 'fuzzy']);
/** Every CoT mode, greedy and sampled: the six settings plus gumbel and multiplex. */
export const ALL_SETTINGS: readonly InferenceSetting[] = bothWays(COT_MODES);

/** Parse "hard-greedy,gumbel-sample,..." or "all" (every mode) or "paper" (the six settings). */
export function parseSettings(spec: string): InferenceSetting[] {
  if (spec.trim() === 'all') return [...ALL_SETTINGS];
  if (spec.trim() === 'paper') return [...SIX_SETTINGS];
  return spec.split(',').map((s) => {
    const m = new RegExp(`^(${COT_MODES.join('|')})[-_ ](greedy|sample)$`).exec(s.trim());
    if (!m) throw new Error(`invalid inference setting "${s}" (use e.g. hard-greedy, soft-sample, gumbel-greedy; or all, or paper)`);
    return { mode: m[1] as CotMode, greedy: m[2] === 'greedy' };
  });
}

/** Per-mode settings of the evaluated policies (τ, mixture filter, gumbel, multiplex), e.g. a checkpoint's. */
export type ModeSettings = Partial<Record<CotMode, Omit<CotSettings, 'mode' | 'greedy' | 'sigma' | 'noiseGamma'>>>;

export interface EvalOptions {
  format: PromptFormat;
  settings?: readonly InferenceSetting[];
  /** Samples per problem for sampled settings (greedy settings use one). */
  samples?: number;
  ks?: readonly number[];
  maxCotTokens?: number;
  maxAnswerTokens?: number;
  /**
   * σ of the sampled soft/fuzzy settings. Give the training run's σ (the base model's; softcot_config.json of a
   * checkpoint holds it). Without it, σ = γ·RMS(E) of the evaluated model, γ = noiseGamma (default 0.33).
   */
  sigma?: number;
  noiseGamma?: number;
  /** Per-mode policy settings (default: each mode's defaults). */
  modeSettings?: ModeSettings;
  /** Rows per rollout call. */
  batchSize?: number;
  /** How answers are read from completions (default 'markers', the paper's protocol; see docs/grader.md). */
  extract?: ExtractMode;
  seed?: number;
  onProgress?: (done: number, total: number, setting: string) => void;
}

export interface SampleResult {
  completion: string;
  cotText: string;
  extracted: string | null;
  correct: boolean;
  cotLength: number;
  cotStop: string;
}

export interface ProblemResult {
  id: string;
  question: string;
  reference: string;
  setting: string;
  samples: SampleResult[];
  correct: number;
}

export interface SettingSummary {
  setting: string;
  mode: CotMode;
  greedy: boolean;
  /** The policy evaluated: τ, σ, filters, gumbel/multiplex settings. */
  policy: CotPolicy;
  problems: number;
  samplesPerProblem: number;
  /** Mean fraction correct over samples: greedy pass@1 for greedy settings, sample pass@1 otherwise. */
  pass1: number;
  passAtK: Record<number, number>;
  meanCotLength: number;
  stopReasons: Record<string, number>;
  /** Mean next-token entropy (nats, τ = 1) at each CoT position, over samples that reached it. */
  entropyByPosition: number[];
}

export interface EvalResult {
  summaries: SettingSummary[];
  problems: ProblemResult[];
}

export async function evaluate(model: CausalLM, tokenizer: Tokenizer, examples: Example[], o: EvalOptions): Promise<EvalResult> {
  if (examples.length === 0) throw new Error('evaluate: no examples');
  const settings = o.settings ?? ALL_SETTINGS;
  const n = o.samples ?? 8;
  const ks = (o.ks ?? [1, 2, 4, 8, 16, 32]).filter((k) => k <= n);
  const sigma = o.sigma ?? noiseSigma(model.embeddingMatrix, o.noiseGamma ?? 0.33);
  const batch = o.batchSize ?? 32;
  const summaries: SettingSummary[] = [];
  const problems: ProblemResult[] = [];
  const total = settings.reduce((a, s) => a + examples.length * (s.greedy ? 1 : n), 0);
  let done = 0;
  for (const setting of settings) {
    const label = cotLabel(setting);
    const per = setting.greedy ? 1 : n;
    const cot = evaluationPolicy(setting, sigma, o.modeSettings);
    const rows = examples.flatMap((e, i) => new Array<number>(per).fill(i));
    const results: SampleResult[][] = examples.map(() => []);
    const entropySum: number[] = [];
    const entropyCount: number[] = [];
    const stopReasons: Record<string, number> = {};
    for (let start = 0; start < rows.length; start += batch) {
      const part = rows.slice(start, start + batch);
      const trajs = rollout(model, tokenizer, part.map((i) => examples[i]!.question), {
        cot,
        format: o.format,
        maxCotTokens: o.maxCotTokens ?? 512,
        maxAnswerTokens: o.maxAnswerTokens ?? 32,
        answer: { greedy: true },
        seed: `${o.seed ?? 0}:eval:${label}:${start}`,
      });
      trajs.forEach((t, j) => {
        const ex = examples[part[j]!]!;
        const g = gradeCompletion(t.completion, ex.answer, { extract: o.extract ?? 'markers' });
        results[part[j]!]!.push({ completion: t.completion, cotText: t.cotText, extracted: g.extracted, correct: g.correct, cotLength: t.cotTokens.length, cotStop: t.cotStop });
        stopReasons[t.cotStop] = (stopReasons[t.cotStop] ?? 0) + 1;
        t.entropies.forEach((h, p) => {
          entropySum[p] = (entropySum[p] ?? 0) + h;
          entropyCount[p] = (entropyCount[p] ?? 0) + 1;
        });
      });
      done += part.length;
      o.onProgress?.(done, total, label);
    }
    const counts = results.map((r) => ({ n: r.length, c: r.filter((s) => s.correct).length }));
    examples.forEach((e, i) => problems.push({ id: e.id, question: e.question, reference: e.answer, setting: label, samples: results[i]!, correct: counts[i]!.c }));
    const all = results.flat();
    summaries.push({
      setting: label,
      mode: setting.mode,
      greedy: setting.greedy,
      policy: cot,
      problems: examples.length,
      samplesPerProblem: per,
      pass1: counts.reduce((a, x) => a + x.c / x.n, 0) / counts.length,
      passAtK: setting.greedy ? { 1: counts.reduce((a, x) => a + x.c, 0) / counts.length } : meanPassAtK(counts, ks),
      meanCotLength: all.reduce((a, s) => a + s.cotLength, 0) / all.length,
      stopReasons,
      entropyByPosition: entropySum.map((s, p) => s / entropyCount[p]!),
    });
  }
  return { summaries, problems };
}

/** The policy an inference setting evaluates: the mode's settings, greedy or sampled, with σ for Gaussian modes. */
export function evaluationPolicy(setting: InferenceSetting, sigma: number, modeSettings: ModeSettings = {}): CotPolicy {
  return resolveCot({ ...modeSettings[setting.mode], mode: setting.mode, greedy: setting.greedy, ...(GAUSSIAN_MODES.includes(setting.mode) ? { sigma } : {}) });
}

/**
 * A validation score for RLOOTrainer's `validation.score`: pass@1 (0..1) of one inference setting on held-out
 * problems, hard greedy by default, as the paper's "best greedy validation" checkpoint selection uses.
 */
export function pass1Scorer(
  tokenizer: Tokenizer,
  examples: Example[],
  o: Omit<EvalOptions, 'settings' | 'ks'> & { setting?: InferenceSetting },
): (model: CausalLM) => Promise<number> {
  if (examples.length === 0) throw new Error('pass1Scorer: no validation examples');
  const setting = o.setting ?? { mode: 'hard', greedy: true };
  return async (model) => (await evaluate(model, tokenizer, examples, { ...o, settings: [setting], ks: [1] })).summaries[0]!.pass1;
}

/** A markdown table of the summaries: one row per setting. */
export function summaryTable(summaries: SettingSummary[], ks: readonly number[] = [1, 2, 4, 8, 16, 32]): string {
  const shownKs = ks.filter((k) => k > 1 && summaries.some((s) => s.passAtK[k] !== undefined && !s.greedy));
  const head = `| setting | pass@1 | ${shownKs.map((k) => `pass@${k}`).join(' | ')} | CoT length | stops |`;
  const sep = `|---|---|${shownKs.map(() => '---|').join('')}---|---|`;
  const pct = (x: number | undefined) => (x === undefined ? '' : (100 * x).toFixed(1));
  const lines = summaries.map(
    (s) =>
      `| ${s.setting} | ${pct(s.pass1)} | ${shownKs.map((k) => (s.greedy ? '' : pct(s.passAtK[k]))).join(' | ')} | ${s.meanCotLength.toFixed(1)} | ${Object.entries(s.stopReasons)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')} |`,
  );
  return [head, sep, ...lines].join('\n');
}
