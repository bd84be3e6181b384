// softcot_config.json: the CoT policy a model folder was trained with (σ included), saved beside config.json in every
// checkpoint. σ is fixed from the *base* model (method.md §1); evaluating a trained model with σ recomputed from its
// own, moved embeddings would change the policy it is scored under, so evaluation reads σ from here by default.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeJsonAtomic } from '@softcot/base';
import { SOFTCOT_VERSION } from '@softcot/model';
import { policySettings, resolveCot, type CotPolicy } from './settings';

export const COT_CONFIG_FILE = 'softcot_config.json';

export interface SavedCotConfig {
  format: 'softcot-cot-config/1';
  softcotVersion: string;
  /** The training policy. */
  cot: CotPolicy;
  /** RMS(E) of the base model's input embeddings: σ = γ·RMS(E_base) for any soft/fuzzy evaluation of this model. */
  baseEmbeddingRms: number;
  maxCotTokens: number;
  /** The prompt format's name and its rendering of "{question}". */
  prompt: { name: string; template: string };
}

export function saveCotConfig(dir: string, c: Omit<SavedCotConfig, 'format' | 'softcotVersion'>): void {
  const saved: SavedCotConfig = { format: 'softcot-cot-config/1', softcotVersion: SOFTCOT_VERSION, ...c };
  writeJsonAtomic(path.join(dir, COT_CONFIG_FILE), saved);
}

/** The saved CoT config of a model folder, or null when it has none (e.g. a base model). Malformed files are errors. */
export function loadCotConfig(dir: string): SavedCotConfig | null {
  const file = path.join(dir, COT_CONFIG_FILE);
  if (!fs.existsSync(file)) return null;
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const o = json as Partial<SavedCotConfig>;
  if (!o || typeof o !== 'object' || o.format !== 'softcot-cot-config/1') throw new Error(`${file}: field "format" must be "softcot-cot-config/1"`);
  if (!o.cot || typeof o.cot !== 'object') throw new Error(`${file}: field "cot" is missing`);
  let cot: CotPolicy;
  try {
    cot = resolveCot(policySettings(o.cot));
  } catch (e) {
    throw new Error(`${file}: field "cot": ${(e as Error).message}`);
  }
  if (!(Number.isInteger(o.maxCotTokens) && o.maxCotTokens! >= 1)) throw new Error(`${file}: field "maxCotTokens" must be a positive integer`);
  if (!(typeof o.baseEmbeddingRms === 'number' && o.baseEmbeddingRms > 0 && Number.isFinite(o.baseEmbeddingRms)))
    throw new Error(`${file}: field "baseEmbeddingRms" must be a positive number`);
  if (!o.prompt || typeof o.prompt.name !== 'string' || typeof o.prompt.template !== 'string') throw new Error(`${file}: field "prompt" must be { name, template }`);
  return { format: o.format, softcotVersion: String(o.softcotVersion ?? 'unknown'), cot, baseEmbeddingRms: o.baseEmbeddingRms, maxCotTokens: o.maxCotTokens!, prompt: o.prompt };
}
