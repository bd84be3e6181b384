// Chain-of-thought token modes (method.md §1).
//
//   hard   next input E[x],        x ~ Categorical(softmax(logits / τ)),  τ = 1
//   soft   next input p·E + σ·ε,   p = softmax(logits / τ), ε ~ N(0, I),  τ = 0.5
//   fuzzy  the same as soft with τ = 1e-4, so p·E is almost the argmax token's embedding
//
// σ = γ · RMS(E), RMS(E) = sqrt(mean over all entries of E²) of the *base* model's input embeddings,
// computed once. "Greedy" means argmax for hard mode and σ = 0 (same τ) for soft and fuzzy.

export type CotMode = 'hard' | 'soft' | 'fuzzy';
export const COT_MODES: readonly CotMode[] = ['hard', 'soft', 'fuzzy'];

export const DEFAULT_TEMPERATURE: Readonly<Record<CotMode, number>> = { hard: 1.0, soft: 0.5, fuzzy: 1e-4 };
export const DEFAULT_NOISE_GAMMA = 0.33;

/** Soft Thinking-style restriction of the mixture to the most likely tokens (off by default: full vocabulary). */
export interface MixtureFilter {
  /** Keep only the k most likely tokens. */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches topP. */
  topP?: number;
  /** Drop tokens whose probability is below minP times the top token's. */
  minP?: number;
}

export interface CotSettings {
  mode: CotMode;
  /** Sampling / mixture temperature τ; defaults by mode. */
  temperature?: number;
  /** Noise scale γ in σ = γ·RMS(E) (soft and fuzzy only). Default 0.33. */
  noiseGamma?: number;
  /** Greedy inference: argmax for hard, σ = 0 for soft/fuzzy. */
  greedy?: boolean;
  /** Restricted mixture (soft/fuzzy only). */
  filter?: MixtureFilter;
}

export interface ResolvedCot {
  mode: CotMode;
  temperature: number;
  noiseGamma: number;
  greedy: boolean;
  filter: MixtureFilter | undefined;
}

export function resolveCot(s: CotSettings): ResolvedCot {
  if (!COT_MODES.includes(s.mode)) throw new Error(`cot.mode must be one of ${COT_MODES.join(', ')}, got "${String(s.mode)}"`);
  const temperature = s.temperature ?? DEFAULT_TEMPERATURE[s.mode];
  if (!(temperature > 0) || !Number.isFinite(temperature))
    throw new Error(`cot.temperature must be a positive number, got ${temperature} (use greedy: true for argmax)`);
  const noiseGamma = s.noiseGamma ?? DEFAULT_NOISE_GAMMA;
  if (!(noiseGamma >= 0) || !Number.isFinite(noiseGamma)) throw new Error(`cot.noiseGamma must be >= 0, got ${noiseGamma}`);
  const f = s.filter;
  if (f) {
    if (s.mode === 'hard') throw new Error('cot.filter (restricted mixture) applies to soft and fuzzy modes only');
    if (f.topK !== undefined && !(Number.isInteger(f.topK) && f.topK >= 1)) throw new Error(`cot.filter.topK must be a positive integer, got ${f.topK}`);
    if (f.topP !== undefined && !(f.topP > 0 && f.topP <= 1)) throw new Error(`cot.filter.topP must be in (0, 1], got ${f.topP}`);
    if (f.minP !== undefined && !(f.minP >= 0 && f.minP < 1)) throw new Error(`cot.filter.minP must be in [0, 1), got ${f.minP}`);
  }
  return { mode: s.mode, temperature, noiseGamma, greedy: s.greedy ?? false, filter: f };
}

/** A short label for tables: "soft greedy", "hard sample", ... */
export function cotLabel(c: { mode: CotMode; greedy?: boolean }): string {
  return `${c.mode} ${c.greedy ? 'greedy' : 'sample'}`;
}
