// Chain-of-thought token modes: what the model is fed at each CoT step (method.md §1 and §7).
//
//   hard       E[x],                    x ~ Categorical(softmax(logits / τ)),           τ = 1
//   soft       p·E + σ·ε,               p = softmax(logits / τ), ε ~ N(0, I_d),          τ = 0.5
//   fuzzy      the same as soft with τ = 1e-4: p·E is almost the argmax token's embedding
//   gumbel     Σ_i y′_i·E[i] over the top-k/top-p ids, y′ = softmax(g′ / τ_g), g′_i = log p̃_i + Gumbel noise
//   multiplex  Σ_j w_j·E[k_j] over K tokens drawn i.i.d. from p, w_j ∝ p(k_j) (or 1/K)
//
// σ = γ · RMS(E), RMS(E) = sqrt(mean over all entries of E²) of the *base* model's input embeddings, computed once
// and then fixed (it is saved with every checkpoint). "Greedy" inference: argmax for hard, σ = 0 for soft and fuzzy,
// ε = 0 for gumbel, K copies of the argmax for multiplex (which is hard greedy).
//
// A CotSettings is what a user writes; resolveCot turns it, once, into a CotPolicy: every value set, σ included.
// The policy is what the rollout engine, the scoring pass, checkpoints and reports all receive.
import type * as tf from '@tensorflow/tfjs';
import { noiseSigma, type MixtureFilter } from './mixture';

export type CotMode = 'hard' | 'soft' | 'fuzzy' | 'gumbel' | 'multiplex';
export const COT_MODES: readonly CotMode[] = ['hard', 'soft', 'fuzzy', 'gumbel', 'multiplex'];
/** The modes whose next input carries additive Gaussian noise (σ applies to them). */
export const GAUSSIAN_MODES: readonly CotMode[] = ['soft', 'fuzzy'];

export const DEFAULT_TEMPERATURE: Readonly<Record<CotMode, number>> = { hard: 1.0, soft: 0.5, fuzzy: 1e-4, gumbel: 1.0, multiplex: 1.0 };
export const DEFAULT_NOISE_GAMMA = 0.33;

/**
 * How a gumbel step's log-density is scored (method.md §7):
 *   sum           Σ_i f(g′_i − log p̃_i) over the kept ids, f(x) = −x − e^(−x) (the SofT-GRPO paper)
 *   mean-clamped  the mean of f(clamp(g′_i − log p̃_i)) over the kept ids with p̃_i > e^(−3) (the authors' code)
 */
export type GumbelScore = 'sum' | 'mean-clamped';
export const GUMBEL_SCORES: readonly GumbelScore[] = ['sum', 'mean-clamped'];

export interface GumbelSettings {
  /** Keep the k most likely ids (default 5). */
  topK?: number;
  /** Then the smallest prefix of them whose renormalised mass reaches topP (default 0.95). */
  topP?: number;
  /** Temperature τ_g of y′ = softmax(g′ / τ_g) (default 0.1). */
  tau?: number;
  /** Clamp of the Gumbel noise [lo, hi] (default [−1.5, 3], the authors' code); null: unclamped. */
  clamp?: [number, number] | null;
  /** Step log-density (default 'sum'). */
  score?: GumbelScore;
}

export type MultiplexWeights = 'prob' | 'uniform';

export interface MultiplexSettings {
  /** K tokens drawn per step (default 3). */
  samples?: number;
  /** w_j = p(k_j) / Σ_l p(k_l) ('prob', default) or 1/K ('uniform'). */
  weights?: MultiplexWeights;
}

/** What a user specifies; every field but `mode` has a default. */
export interface CotSettings {
  mode: CotMode;
  /** Temperature τ of p = softmax(logits / τ); defaults by mode. */
  temperature?: number;
  /** Greedy inference (see the header). Not a training policy. */
  greedy?: boolean;
  /** Noise scale γ in σ = γ·RMS(E) (soft and fuzzy). Default 0.33. */
  noiseGamma?: number;
  /** Absolute σ (soft and fuzzy), e.g. the base model's, saved with a checkpoint. Overrides γ·RMS(E). */
  sigma?: number;
  /** Restricted mixture, Soft Thinking style (soft and fuzzy only). */
  filter?: MixtureFilter;
  gumbel?: GumbelSettings;
  multiplex?: MultiplexSettings;
}

interface PolicyBase {
  temperature: number;
  greedy: boolean;
}
export interface HardPolicy extends PolicyBase {
  mode: 'hard';
}
export interface GaussianPolicy extends PolicyBase {
  mode: 'soft' | 'fuzzy';
  noiseGamma: number;
  /** Absolute noise scale; 0 for greedy policies resolved without a base model. */
  sigma: number;
  filter: MixtureFilter | null;
}
export interface GumbelPolicy extends PolicyBase {
  mode: 'gumbel';
  topK: number;
  topP: number;
  tau: number;
  clamp: [number, number] | null;
  score: GumbelScore;
}
export interface MultiplexPolicy extends PolicyBase {
  mode: 'multiplex';
  samples: number;
  weights: MultiplexWeights;
}
/** A fully resolved CoT mode: every setting has its value. Plain JSON (saved with checkpoints). */
export type CotPolicy = HardPolicy | GaussianPolicy | GumbelPolicy | MultiplexPolicy;

/**
 * Resolve settings into a policy, once. σ of a sampled soft/fuzzy policy comes from `settings.sigma`, else from
 * γ·RMS(E) of `base.embeddings` (the base model's). Settings that do nothing in the chosen mode are errors.
 */
export function resolveCot(s: CotSettings, base?: { embeddings: tf.Tensor }): CotPolicy {
  const where = 'cot';
  if (!COT_MODES.includes(s.mode)) throw new Error(`${where}.mode must be one of ${COT_MODES.join(', ')}, got "${String(s.mode)}"`);
  const temperature = s.temperature ?? DEFAULT_TEMPERATURE[s.mode];
  if (!(temperature > 0) || !Number.isFinite(temperature))
    throw new Error(`${where}.temperature must be a positive number, got ${temperature} (use greedy: true for argmax)`);
  const greedy = s.greedy ?? false;
  const gaussian = GAUSSIAN_MODES.includes(s.mode);
  const onlyFor = (field: string, value: unknown, modes: string) => {
    if (value !== undefined) throw new Error(`${where}.${field} applies to ${modes} mode only, not ${s.mode}`);
  };
  if (!gaussian) {
    onlyFor('noiseGamma', s.noiseGamma, 'soft and fuzzy');
    onlyFor('sigma', s.sigma, 'soft and fuzzy');
    onlyFor('filter', s.filter, 'soft and fuzzy');
  }
  if (s.mode !== 'gumbel') onlyFor('gumbel', s.gumbel, 'gumbel');
  if (s.mode !== 'multiplex') onlyFor('multiplex', s.multiplex, 'multiplex');

  switch (s.mode) {
    case 'hard':
      return { mode: 'hard', temperature, greedy };
    case 'soft':
    case 'fuzzy': {
      const noiseGamma = s.noiseGamma ?? DEFAULT_NOISE_GAMMA;
      if (!(noiseGamma >= 0) || !Number.isFinite(noiseGamma)) throw new Error(`${where}.noiseGamma must be >= 0, got ${noiseGamma}`);
      if (s.sigma !== undefined && !(s.sigma >= 0 && Number.isFinite(s.sigma))) throw new Error(`${where}.sigma must be >= 0, got ${s.sigma}`);
      let sigma = s.sigma;
      if (sigma === undefined && base) sigma = noiseSigma(base.embeddings, noiseGamma);
      if (sigma === undefined) {
        if (!greedy) throw new Error(`${where}: a sampled ${s.mode} policy needs σ: give cot.sigma, or the base model's embeddings to compute γ·RMS(E)`);
        sigma = 0;
      }
      return { mode: s.mode, temperature, greedy, noiseGamma, sigma, filter: validFilter(s.filter, where) };
    }
    case 'gumbel': {
      const g = s.gumbel ?? {};
      const topK = g.topK ?? 5;
      const topP = g.topP ?? 0.95;
      const tau = g.tau ?? 0.1;
      const clamp = g.clamp === undefined ? ([-1.5, 3] as [number, number]) : g.clamp;
      const score = g.score ?? 'sum';
      if (!(Number.isInteger(topK) && topK >= 1)) throw new Error(`${where}.gumbel.topK must be a positive integer, got ${topK}`);
      if (!(topP > 0 && topP <= 1)) throw new Error(`${where}.gumbel.topP must be in (0, 1], got ${topP}`);
      if (!(tau > 0 && Number.isFinite(tau))) throw new Error(`${where}.gumbel.tau must be a positive number, got ${tau}`);
      if (clamp !== null && !(Array.isArray(clamp) && clamp.length === 2 && clamp[0] < clamp[1] && clamp.every(Number.isFinite)))
        throw new Error(`${where}.gumbel.clamp must be [lo, hi] with lo < hi, or null; got ${JSON.stringify(clamp)}`);
      if (!GUMBEL_SCORES.includes(score)) throw new Error(`${where}.gumbel.score must be one of ${GUMBEL_SCORES.join(', ')}, got "${String(score)}"`);
      return { mode: 'gumbel', temperature, greedy, topK, topP, tau, clamp: clamp === null ? null : [clamp[0], clamp[1]], score };
    }
    case 'multiplex': {
      const m = s.multiplex ?? {};
      const samples = m.samples ?? 3;
      const weights = m.weights ?? 'prob';
      if (!(Number.isInteger(samples) && samples >= 1)) throw new Error(`${where}.multiplex.samples must be a positive integer, got ${samples}`);
      if (weights !== 'prob' && weights !== 'uniform') throw new Error(`${where}.multiplex.weights must be 'prob' or 'uniform', got "${String(weights)}"`);
      return { mode: 'multiplex', temperature, greedy, samples, weights };
    }
  }
}

function validFilter(f: MixtureFilter | undefined, where: string): MixtureFilter | null {
  if (!f || (f.topK === undefined && f.topP === undefined && f.minP === undefined)) return null;
  if (f.topK !== undefined && !(Number.isInteger(f.topK) && f.topK >= 1)) throw new Error(`${where}.filter.topK must be a positive integer, got ${f.topK}`);
  if (f.topP !== undefined && !(f.topP > 0 && f.topP <= 1)) throw new Error(`${where}.filter.topP must be in (0, 1], got ${f.topP}`);
  if (f.minP !== undefined && !(f.minP >= 0 && f.minP < 1)) throw new Error(`${where}.filter.minP must be in [0, 1), got ${f.minP}`);
  return { ...f };
}

/** The settings that reproduce a policy through resolveCot (for checkpoints and reports). */
export function policySettings(p: CotPolicy): CotSettings {
  switch (p.mode) {
    case 'hard':
      return { mode: p.mode, temperature: p.temperature, greedy: p.greedy };
    case 'soft':
    case 'fuzzy':
      return { mode: p.mode, temperature: p.temperature, greedy: p.greedy, noiseGamma: p.noiseGamma, sigma: p.sigma, ...(p.filter ? { filter: p.filter } : {}) };
    case 'gumbel':
      return { mode: p.mode, temperature: p.temperature, greedy: p.greedy, gumbel: { topK: p.topK, topP: p.topP, tau: p.tau, clamp: p.clamp, score: p.score } };
    case 'multiplex':
      return { mode: p.mode, temperature: p.temperature, greedy: p.greedy, multiplex: { samples: p.samples, weights: p.weights } };
  }
}

/** A short label for tables: "soft greedy", "hard sample", ... */
export function cotLabel(c: { mode: CotMode; greedy?: boolean }): string {
  return `${c.mode} ${c.greedy ? 'greedy' : 'sample'}`;
}
