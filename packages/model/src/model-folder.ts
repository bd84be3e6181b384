// Hugging Face model folders: config.json + model.safetensors (or shards + index). Load, save, random init.
// Loading reads one tensor at a time from disk into a tfjs tensor, so peak host memory is the weights plus
// one tensor, never two full copies.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeJsonAtomic } from '@softcot/base';
import { architectureName, parseModelConfig, type ModelConfig } from './config';
import { CheckpointError, ConfigError } from './errors';
import { openCheckpointTensors } from './safetensors-reader';
import { writeCheckpointTensors } from './safetensors-writer';
import { GENERATION_CONFIG_FILE } from './tokenizer';
import { CausalLM, isBf16StorableWeight, parameterSpecs } from './transformer';
import { assertBf16WeightsSupported, packBf16, packedFromBf16Bytes } from './bf16-weights';

export type SaveDtype = 'float32' | 'bfloat16' | 'float16';

/** A JSON config file's content; a missing file (`missing` says what folder was expected) or bad JSON is a ConfigError. */
export function readJsonConfig(file: string, missing: string): unknown {
  if (!fs.existsSync(file)) throw new ConfigError(`not found (${missing})`, file);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`invalid JSON: ${(e as Error).message}`, file);
  }
}

/** Read and validate `dir/config.json`. */
export function readModelConfig(dir: string): ModelConfig {
  const file = path.join(dir, 'config.json');
  return parseModelConfig(readJsonConfig(file, 'is this a Hugging Face model folder?'), file);
}

export interface LoadReport {
  /** Tensors in the checkpoint that the model does not use (e.g. rotary caches, a tied lm_head copy). */
  unused: string[];
}

export interface LoadOptions {
  /**
   * Keep the linear layers' matrices and an untied LM head as frozen bf16 (half their fp32 memory; read straight
   * from BF16 files, rounded from others). Such a model trains through LoRA adapters only.
   */
  frozenBf16?: boolean;
}

/** Load a Hugging Face model folder into a trainable CausalLM on the current tfjs backend. */
export function loadModel(dir: string, opts: LoadOptions = {}): CausalLM & { loadReport: LoadReport } {
  if (opts.frozenBf16) assertBf16WeightsSupported();
  const config = readModelConfig(dir);
  const store = openCheckpointTensors(dir);
  const tensors = new Map<string, tf.Tensor>();
  try {
    const specs = parameterSpecs(config);
    // Check every name and shape before reading any data, so a bad checkpoint fails fast and cheaply.
    for (const spec of specs) {
      if (!store.has(spec.name))
        throw new CheckpointError(`missing tensor required by config.json (${config.modelType}, ${config.numLayers} layers)`, dir, spec.name);
      const shape = store.info(spec.name).shape;
      if (shape.length !== spec.shape.length || shape.some((s, i) => s !== spec.shape[i]))
        throw new CheckpointError(`shape [${shape}] does not match config.json (expected [${spec.shape}])`, store.fileOf(spec.name), spec.name);
    }
    for (const spec of specs) {
      if (opts.frozenBf16 && isBf16StorableWeight(spec.name)) {
        const words = store.info(spec.name).dtype === 'BF16' ? packedFromBf16Bytes(store.readRaw(spec.name)) : packBf16(store.readFloat32(spec.name));
        tensors.set(spec.name, tf.tensor2d(words, [spec.shape[0]!, spec.shape[1]! / 2], 'int32'));
      } else tensors.set(spec.name, tf.tensor(store.readFloat32(spec.name), spec.shape, 'float32'));
    }
    const known = new Set(specs.map((s) => s.name));
    const model = new CausalLM(config, tensors) as CausalLM & { loadReport: LoadReport };
    model.loadReport = { unused: store.names().filter((n) => !known.has(n)) };
    return model;
  } catch (e) {
    for (const t of tensors.values()) t.dispose();
    throw e;
  } finally {
    store.close();
  }
}

const DTYPE_CODE = { float32: 'F32', bfloat16: 'BF16', float16: 'F16' } as const;

export interface SaveOptions {
  /** Storage dtype; defaults to the config's torch_dtype. */
  dtype?: SaveDtype;
  /** Generation defaults to keep in generation_config.json (e.g. a source checkpoint's sampling settings). */
  generationConfig?: Record<string, unknown>;
  /** Split into shards of at most this many bytes (HF layout with model.safetensors.index.json). */
  maxShardBytes?: number;
}

/**
 * generation_config.json as transformers derives it from a model config: the special token ids (only those the
 * config sets), `_from_model_config: true`, and whatever `extra` adds. No sampling defaults are claimed: softcot
 * decides those per run.
 */
export function generationConfigFor(config: ModelConfig, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const ids: Record<string, unknown> = {};
  if (config.bosTokenId !== null) ids.bos_token_id = config.bosTokenId;
  if (config.eosTokenIds.length > 0) ids.eos_token_id = config.eosTokenIds.length === 1 ? config.eosTokenIds[0] : config.eosTokenIds;
  if (config.padTokenId !== null) ids.pad_token_id = config.padTokenId;
  return { _from_model_config: true, ...ids, ...extra };
}

/**
 * Write `dir/config.json`, `generation_config.json` and the weights in the layout transformers and vLLM load. With
 * LoRA adapters attached (and on) the adapters are merged into the written weights: a plain HF checkpoint of the
 * adapted model.
 */
export function saveModel(model: CausalLM, dir: string, opts: SaveOptions = {}): void {
  fs.mkdirSync(dir, { recursive: true });
  const dtype = opts.dtype ?? model.config.torchDtype;
  const config = { ...model.config.raw, architectures: [architectureName(model.config.modelType)], torch_dtype: dtype };
  writeJsonAtomic(path.join(dir, 'config.json'), config);
  writeJsonAtomic(path.join(dir, GENERATION_CONFIG_FILE), generationConfigFor(model.config, opts.generationConfig));
  // The weights the model computes with: LoRA adapters (when on) are merged in, one tensor at a time.
  const entries = parameterSpecs(model.config).map(({ name, shape }) => ({
    name,
    dtype: DTYPE_CODE[dtype],
    shape,
    data: () => {
      const t = model.effectiveParam(name);
      const values = t.dataSync() as Float32Array;
      t.dispose();
      return values;
    },
  }));
  writeCheckpointTensors(dir, entries, { maxShardBytes: opts.maxShardBytes });
}

/** A model with transformers' default initialisation: N(0, initializer_range) weights, unit norms, zero biases. */
export function initModel(config: ModelConfig, seed: number): CausalLM {
  const tensors = new Map<string, tf.Tensor>();
  parameterSpecs(config).forEach((spec, i) => {
    const t =
      spec.init === 'normal'
        ? // +1: tfjs treats a seed of 0 as "no seed" (Math.random), so seed 0 would not be reproducible.
          tf.randomNormal(spec.shape, 0, config.initializerRange, 'float32', seed * 1000 + i + 1)
        : spec.init === 'ones'
          ? tf.ones(spec.shape)
          : tf.zeros(spec.shape);
    tensors.set(spec.name, t);
  });
  return new CausalLM(config, tensors);
}
