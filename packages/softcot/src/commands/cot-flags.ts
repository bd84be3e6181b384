// The CoT policy flags that train and eval share, named as the library names the settings (CotSettings).
import { GUMBEL_SCORES, type CotMode, type CotSettings, type GumbelSettings, type MixtureFilter, type MultiplexSettings } from '@softcot/mixer';
import { UsageError, optChoice, optFloat, optInt, optString, type OptionSpec } from '../args';

export const COT_MODES_CLI = ['hard', 'soft', 'fuzzy', 'gumbel', 'multiplex'] as const satisfies readonly CotMode[];

export const COT_POLICY_OPTIONS: OptionSpec = {
  'noise-gamma': { type: 'string' },
  sigma: { type: 'string' },
  'top-k': { type: 'string' },
  'top-p': { type: 'string' },
  'min-p': { type: 'string' },
  'gumbel-top-k': { type: 'string' },
  'gumbel-top-p': { type: 'string' },
  'gumbel-tau': { type: 'string' },
  'gumbel-clamp': { type: 'string' },
  'gumbel-score': { type: 'string' },
  'multiplex-k': { type: 'string' },
  'multiplex-weights': { type: 'string' },
};

export const COT_POLICY_HELP = `  --noise-gamma X      soft/fuzzy noise scale γ: σ = γ·RMS(E) of the base model (default 0.33)
  --sigma X            soft/fuzzy absolute σ (overrides γ)
  --top-k N, --top-p X, --min-p X
                       soft/fuzzy: restrict the mixture to the most likely tokens (default: full vocabulary)
  --gumbel-top-k N     gumbel: kept ids (default 5)      --gumbel-top-p X  then top-p (default 0.95)
  --gumbel-tau X       gumbel: τ_g of softmax(g'/τ_g) (default 0.1)
  --gumbel-clamp LO,HI gumbel: noise clamp (default -1.5,3; "none" for no clamp)
  --gumbel-score S     gumbel: sum (the paper, default) | mean-clamped (the authors' code)
  --multiplex-k K      multiplex: tokens drawn per step (default 3)
  --multiplex-weights W  multiplex: prob (default) | uniform`;

/** The per-mode settings given by flags; each applies to its own mode only. */
export interface CotPolicyFlags {
  noiseGamma?: number;
  sigma?: number;
  filter?: MixtureFilter;
  gumbel?: GumbelSettings;
  multiplex?: MultiplexSettings;
}

export function cotPolicyFlags(v: Record<string, unknown>): CotPolicyFlags {
  const out: CotPolicyFlags = {};
  const noiseGamma = optFloat(v, 'noise-gamma', { min: 0 });
  const sigma = optFloat(v, 'sigma', { min: 0 });
  if (noiseGamma !== undefined) out.noiseGamma = noiseGamma;
  if (sigma !== undefined) out.sigma = sigma;
  const filter: MixtureFilter = {};
  const topK = optInt(v, 'top-k', { min: 1 });
  const topP = optFloat(v, 'top-p', { positive: true });
  const minP = optFloat(v, 'min-p', { min: 0 });
  if (topK !== undefined) filter.topK = topK;
  if (topP !== undefined) filter.topP = topP;
  if (minP !== undefined) filter.minP = minP;
  if (Object.keys(filter).length > 0) out.filter = filter;
  const gumbel: GumbelSettings = {};
  const gTopK = optInt(v, 'gumbel-top-k', { min: 1 });
  const gTopP = optFloat(v, 'gumbel-top-p', { positive: true });
  const tau = optFloat(v, 'gumbel-tau', { positive: true });
  const clamp = optString(v, 'gumbel-clamp');
  const score = optChoice(v, 'gumbel-score', GUMBEL_SCORES);
  if (gTopK !== undefined) gumbel.topK = gTopK;
  if (gTopP !== undefined) gumbel.topP = gTopP;
  if (tau !== undefined) gumbel.tau = tau;
  if (clamp !== undefined) gumbel.clamp = parseClamp(clamp);
  if (score !== undefined) gumbel.score = score;
  if (Object.keys(gumbel).length > 0) out.gumbel = gumbel;
  const multiplex: MultiplexSettings = {};
  const k = optInt(v, 'multiplex-k', { min: 1 });
  const weights = optChoice(v, 'multiplex-weights', ['prob', 'uniform'] as const);
  if (k !== undefined) multiplex.samples = k;
  if (weights !== undefined) multiplex.weights = weights;
  if (Object.keys(multiplex).length > 0) out.multiplex = multiplex;
  return out;
}

function parseClamp(s: string): [number, number] | null {
  if (s.trim() === 'none') return null;
  const parts = s.split(',').map((x) => Number(x.trim()));
  if (parts.length !== 2 || !parts.every(Number.isFinite) || !(parts[0]! < parts[1]!)) throw new UsageError(`flag --gumbel-clamp needs LO,HI with LO < HI, or none; got "${s}"`);
  return [parts[0]!, parts[1]!];
}

/** The flags that apply to `mode`, as CotSettings fields; a flag for another mode is a usage error. */
export function settingsForMode(mode: CotMode, f: CotPolicyFlags): Omit<CotSettings, 'mode'> {
  const gaussian = mode === 'soft' || mode === 'fuzzy';
  const reject = (given: unknown, flags: string, modes: string) => {
    if (given !== undefined) throw new UsageError(`${flags} applies to ${modes} mode, not ${mode}`);
  };
  if (!gaussian) {
    reject(f.noiseGamma ?? f.sigma, '--noise-gamma/--sigma', 'soft and fuzzy');
    reject(f.filter, '--top-k/--top-p/--min-p', 'soft and fuzzy');
  }
  if (mode !== 'gumbel') reject(f.gumbel, '--gumbel-*', 'gumbel');
  if (mode !== 'multiplex') reject(f.multiplex, '--multiplex-*', 'multiplex');
  return {
    ...(f.noiseGamma !== undefined ? { noiseGamma: f.noiseGamma } : {}),
    ...(f.sigma !== undefined ? { sigma: f.sigma } : {}),
    ...(f.filter ? { filter: f.filter } : {}),
    ...(f.gumbel ? { gumbel: f.gumbel } : {}),
    ...(f.multiplex ? { multiplex: f.multiplex } : {}),
  };
}
