// LoRA adapters in the layout PEFT writes and reads (`PeftModel.save_pretrained` / `from_pretrained`):
//   adapter_config.json        peft_type "LORA", r, lora_alpha, lora_dropout, target_modules, modules_to_save, ...
//   adapter_model.safetensors  base_model.model.<module>.lora_A.weight [r, in], ...lora_B.weight [out, r];
//                              trained full copies (modules_to_save) as base_model.model.<module>.weight
// Only what this implementation computes is accepted on load (no DoRA, no per-layer rank/alpha patterns, no
// bias training, no regex targets); anything else is refused with the file and field named.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeJsonAtomic } from '@softcot/base';
import { readJsonConfig } from './model-folder';
import { CheckpointError, ConfigError } from './errors';
import { LORA_TARGETS, type LoraTarget, type ResolvedLora } from './lora';
import { SafetensorsFile } from './safetensors-reader';
import { writeSafetensors } from './safetensors-writer';
import type { CausalLM } from './transformer';

export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';

const EMBED = 'embed_tokens';
const LM_HEAD = 'lm_head';

export interface SaveAdapterOptions {
  /** Written as base_model_name_or_path (where the base checkpoint is). */
  baseModel?: string;
  /** Storage dtype of the adapter tensors (default float32). */
  dtype?: 'float32' | 'bfloat16';
}

/** The adapter_config.json object for these settings (PEFT LoraConfig field names). */
export function adapterConfigJson(s: ResolvedLora, baseModel: string | null): Record<string, unknown> {
  const modulesToSave = [...(s.trainEmbeddings ? [EMBED] : []), ...(s.trainLmHead ? [LM_HEAD] : [])];
  return {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: baseModel,
    r: s.rank,
    lora_alpha: s.alpha,
    lora_dropout: s.dropout,
    target_modules: [...s.targets],
    modules_to_save: modulesToSave.length > 0 ? modulesToSave : null,
    bias: 'none',
    fan_in_fan_out: false,
    use_rslora: s.rsLora,
    use_dora: false,
    init_lora_weights: true,
    layers_to_transform: null,
    layers_pattern: null,
    rank_pattern: {},
    alpha_pattern: {},
    inference_mode: true,
    revision: null,
  };
}

/** Write the model's LoRA adapters to `dir` in PEFT's layout. */
export function saveAdapter(model: CausalLM, dir: string, opts: SaveAdapterOptions = {}): void {
  const lora = model.lora;
  if (!lora) throw new Error('saveAdapter: the model has no LoRA adapters');
  fs.mkdirSync(dir, { recursive: true });
  // With tied embeddings the trained copy of E is also the LM head: PEFT lists it under embed_tokens.
  const settings = { ...lora.settings, trainEmbeddings: lora.embedTokens !== null, trainLmHead: lora.lmHead !== null };
  writeJsonAtomic(path.join(dir, ADAPTER_CONFIG_FILE), adapterConfigJson(settings, opts.baseModel ?? null));
  const dtype = opts.dtype === 'bfloat16' ? ('BF16' as const) : ('F32' as const);
  writeSafetensors(
    path.join(dir, ADAPTER_WEIGHTS_FILE),
    [...lora.variables()].map(([name, v]) => ({ name, dtype, shape: v.shape, data: () => v.dataSync() as Float32Array })),
  );
}

/** Parse and check an adapter_config.json into LoRA settings this implementation computes exactly. */
export function parseAdapterConfig(json: unknown, file: string, config: { tieWordEmbeddings: boolean }): ResolvedLora {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ConfigError('must be a JSON object', file);
  const j = json as Record<string, unknown>;
  const refuse = (field: string, why: string): never => {
    throw new ConfigError(`${why} (not supported by softcot's LoRA)`, file, field);
  };
  if (j.peft_type !== 'LORA') refuse('peft_type', `peft_type ${JSON.stringify(j.peft_type)} is not "LORA"`);
  const num = (field: string, fallback?: number): number => {
    const v = j[field] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`field "${field}" must be a number, got ${JSON.stringify(j[field])}`, file, field);
    return v;
  };
  const rank = num('r', 8);
  if (!(Number.isInteger(rank) && rank >= 1)) throw new ConfigError(`field "r" must be a positive integer, got ${rank}`, file, 'r');
  const alpha = num('lora_alpha', 8);
  if (!(alpha > 0)) throw new ConfigError(`field "lora_alpha" must be positive, got ${alpha}`, file, 'lora_alpha');
  const dropout = num('lora_dropout', 0);
  if (!(dropout >= 0 && dropout < 1)) throw new ConfigError(`field "lora_dropout" must be in [0, 1), got ${dropout}`, file, 'lora_dropout');
  if ((j.bias ?? 'none') !== 'none') refuse('bias', `bias ${JSON.stringify(j.bias)}: only "none"`);
  if (j.use_dora === true) refuse('use_dora', 'DoRA');
  if (j.fan_in_fan_out === true) refuse('fan_in_fan_out', 'fan_in_fan_out (Conv1D layouts)');
  if (j.layers_to_transform !== undefined && j.layers_to_transform !== null) refuse('layers_to_transform', 'adapters on a subset of layers');
  for (const field of ['rank_pattern', 'alpha_pattern']) {
    const v = j[field];
    if (v !== undefined && v !== null && (typeof v !== 'object' || Object.keys(v as object).length > 0)) refuse(field, 'per-layer ranks/alphas');
  }
  let targets: LoraTarget[] = [];
  const tm = j.target_modules;
  if (tm === 'all-linear') targets = [...LORA_TARGETS];
  else if (Array.isArray(tm) && tm.length > 0 && tm.every((t) => typeof t === 'string')) {
    const unknown = tm.filter((t) => !(LORA_TARGETS as readonly string[]).includes(t));
    if (unknown.length > 0) refuse('target_modules', `target module(s) ${unknown.join(', ')}: only ${LORA_TARGETS.join(', ')}`);
    targets = LORA_TARGETS.filter((t) => tm.includes(t));
  } else refuse('target_modules', `target_modules ${JSON.stringify(tm)}: give a list of module names or "all-linear" (regex targets are not supported)`);
  const mts = j.modules_to_save ?? [];
  if (!Array.isArray(mts) || !mts.every((m) => m === EMBED || m === LM_HEAD))
    refuse('modules_to_save', `modules_to_save ${JSON.stringify(mts)}: only "${EMBED}" and "${LM_HEAD}"`);
  const saved = mts as string[];
  if (config.tieWordEmbeddings && saved.includes(LM_HEAD) && !saved.includes(EMBED))
    refuse('modules_to_save', `"${LM_HEAD}" on a model with tied embeddings: the trained copy of E is saved under "${EMBED}"`);
  return {
    rank, alpha, dropout, targets, rsLora: j.use_rslora === true,
    trainEmbeddings: saved.includes(EMBED), trainLmHead: saved.includes(LM_HEAD) && !config.tieWordEmbeddings, seed: 0,
  };
}

/** Read a PEFT LoRA adapter folder and attach it to `model` (whose base weights it was trained on). */
export function loadAdapter(model: CausalLM, dir: string): void {
  if (model.lora) throw new Error('loadAdapter: the model already has LoRA adapters (detachLora first)');
  const configFile = path.join(dir, ADAPTER_CONFIG_FILE);
  const settings = parseAdapterConfig(readJsonConfig(configFile, 'is this a PEFT adapter folder?'), configFile, model.config);
  model.attachLora(settings);
  try {
    readAdapterWeights(model, dir);
  } catch (e) {
    model.detachLora();
    throw e;
  }
}

/**
 * Set the model's attached adapters to the values in `dir`/adapter_model.safetensors (a checkpoint of the same
 * adapters): every tensor the adapters have must be there with the same shape, and nothing else.
 */
export function readAdapterWeights(model: CausalLM, dir: string): void {
  const lora = model.lora;
  if (!lora) throw new Error('readAdapterWeights: the model has no LoRA adapters');
  const weightsFile = path.join(dir, ADAPTER_WEIGHTS_FILE);
  if (!fs.existsSync(weightsFile)) throw new CheckpointError('not found (adapter_model.bin is not supported: save as safetensors)', weightsFile);
  const file = SafetensorsFile.open(weightsFile);
  try {
    const expected = lora.variables();
    for (const name of file.tensors.keys())
      if (!expected.has(name)) throw new CheckpointError(`unexpected tensor: the model's adapters have no such tensor`, weightsFile, `tensor "${name}"`);
    for (const [name, v] of expected) {
      const info = file.tensors.get(name);
      if (!info) throw new CheckpointError('missing tensor required by adapter_config.json', weightsFile, `tensor "${name}"`);
      if (info.shape.length !== v.shape.length || info.shape.some((d, i) => d !== v.shape[i]))
        throw new CheckpointError(`shape [${info.shape}] does not match the model (expected [${v.shape}])`, weightsFile, `tensor "${name}"`);
    }
    for (const [name, v] of expected) tf.tidy(() => v.assign(tf.tensor(file.readFloat32(name), v.shape)));
  } finally {
    file.close();
  }
}

/** Is `dir` a PEFT adapter folder (rather than a full model folder)? */
export function isAdapterDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, ADAPTER_CONFIG_FILE));
}

