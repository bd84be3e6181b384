// Hugging Face model folders: config.json + model.safetensors (or shards + index). Load, save, random init.
// Loading reads one tensor at a time from disk into a tfjs tensor, so peak host memory is the weights plus
// one tensor, never two full copies.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { checkMemory, writeJsonAtomic } from '@softcot/base';
import { architectureName, parseModelConfig, type ModelConfig } from './config';
import { CheckpointError, ConfigError, readModelJson } from './errors';
import { parameterCount, tensorMemoryBudget, weightBytes } from './sizes';
import { openCheckpointTensors } from './safetensors-reader';
import { writeCheckpointTensors } from './safetensors-writer';
import { GENERATION_CONFIG_FILE } from './tokenizer';
import { CausalLM, isBf16StorableWeight, parameterSpecs } from './transformer';
import { assertBf16WeightsSupported, packBf16, packedFromBf16Bytes } from './bf16-weights';

export type SaveDtype = 'float32' | 'bfloat16' | 'float16';

/** A JSON config file's content; a missing file (`missing` says what folder was expected) or bad JSON is a ConfigError. */
export function readJsonConfig(file: string, missing: string): unknown {
  if (!fs.existsSync(file)) throw new ConfigError(`not found (${missing})`, file);
  return readModelJson(file, ConfigError, 'config file');
}

/** Read and validate `dir/config.json`. */
export function readModelConfig(dir: string): ModelConfig {
  const file = path.join(dir, 'config.json');
  return parseModelConfig(readJsonConfig(file, 'is this a Hugging Face model folder?'), file);
}

export interface LoadReport {
  /** Tensors in the checkpoint that the model does not use and that were accepted (see LoadModelOptions). */
  unused: string[];
}

export interface LoadModelOptions {
  /**
   * Scan every weight for NaN and ±Inf and refuse the checkpoint naming the tensor and the first bad index
   * (default true). About a second per billion weights; turn it off for large checkpoints you trust.
   */
  checkFinite?: boolean;
  /**
   * Tensors the config does not explain are an error by default: a checkpoint with an extra layer, or a model of
   * another shape, is not what config.json describes. 'ignore' accepts them (listed in loadReport.unused).
   * Rotary caches (`*.rotary_emb.inv_freq`, which transformers also ignores) and a tied `lm_head.weight` equal to
   * the embeddings are always accepted.
   */
  unexpectedTensors?: 'error' | 'ignore';
  /**
   * Keep the linear layers' matrices and an untied LM head as frozen bf16 (half their fp32 memory; read straight
   * from BF16 files, rounded from others). Such a model trains through LoRA adapters only.
   */
  frozenBf16?: boolean;
}

const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16', 'F64']);
/** Checkpoint tensors transformers itself ignores on load (_keys_to_ignore_on_load_unexpected). */
const IGNORED_TENSOR = /(^|\.)rotary_emb\.inv_freq$/;

/** Index of the first NaN or ±Inf in `data`, or -1. */
export function firstNonFinite(data: Float32Array): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return i;
  return -1;
}

/** Refuse a tensor holding NaN or ±Inf, naming it and the first bad index. */
export function assertFiniteTensor(data: Float32Array, file: string, name: string): void {
  const bad = firstNonFinite(data);
  if (bad >= 0)
    throw new CheckpointError(`holds ${data[bad]} at flat index ${bad} (non-finite weights; pass --skip-weight-check / checkFinite: false only to inspect such a file)`, file, `tensor ${JSON.stringify(name)}`);
}

/** Load a Hugging Face model folder into a trainable CausalLM on the current tfjs backend. */
export function loadModel(dir: string, opts: LoadModelOptions = {}): CausalLM & { loadReport: LoadReport } {
  if (opts.frozenBf16) assertBf16WeightsSupported();
  const config = readModelConfig(dir);
  // Before opening any weights: a config whose weights cannot fit is refused by size, not by an allocation failure.
  checkMemory(`${path.join(dir, 'config.json')}: the model (${parameterCount(config)} float32 weights)`, weightBytes(config), tensorMemoryBudget());
  const store = openCheckpointTensors(dir);
  const tensors = new Map<string, tf.Tensor>();
  const checkFinite = opts.checkFinite ?? true;
  try {
    const specs = parameterSpecs(config);
    // Check every name, dtype and shape before reading any data, so a bad checkpoint fails fast and cheaply.
    for (const spec of specs) {
      if (!store.has(spec.name))
        throw new CheckpointError(`missing tensor required by config.json (${config.modelType}, ${config.numLayers} layers)`, dir, `tensor ${JSON.stringify(spec.name)}`);
      const info = store.info(spec.name);
      if (!FLOAT_DTYPES.has(info.dtype))
        throw new CheckpointError(`dtype ${info.dtype} is not a floating-point type (weights are F32, F16, BF16 or F64)`, store.fileOf(spec.name), `tensor ${JSON.stringify(spec.name)}`);
      const shape = info.shape;
      if (shape.length !== spec.shape.length || shape.some((s, i) => s !== spec.shape[i]))
        throw new CheckpointError(`shape [${shape}] does not match config.json (expected [${spec.shape}])`, store.fileOf(spec.name), `tensor ${JSON.stringify(spec.name)}`);
    }
    const known = new Set(specs.map((s) => s.name));
    const unused = store.names().filter((n) => !known.has(n));
    const accepted: string[] = [];
    for (const name of unused) {
      if (IGNORED_TENSOR.test(name)) continue;
      if (name === 'lm_head.weight' && config.tieWordEmbeddings) {
        checkTiedHead(store, dir);
        accepted.push(name);
        continue;
      }
      if (opts.unexpectedTensors !== 'ignore')
        throw new CheckpointError(
          `not used by a ${config.modelType} model with ${config.numLayers} layers as config.json describes${unused.length > 1 ? ` (and ${unused.length - 1} more unexpected tensors)` : ''}; pass --ignore-unexpected-tensors / unexpectedTensors: 'ignore' to load anyway`,
          store.fileOf(name),
          `tensor ${JSON.stringify(name)}`,
        );
      accepted.push(name);
    }
    for (const spec of specs) {
      if (opts.frozenBf16 && isBf16StorableWeight(spec.name) && !checkFinite && store.info(spec.name).dtype === 'BF16') {
        tensors.set(spec.name, tf.tensor2d(packedFromBf16Bytes(store.readRaw(spec.name)), [spec.shape[0]!, spec.shape[1]! / 2], 'int32'));
        continue;
      }
      const data = store.readFloat32(spec.name);
      if (checkFinite) assertFiniteTensor(data, store.fileOf(spec.name), spec.name);
      // bf16 → fp32 → packBf16 is exact, so a checked BF16 file packs to the same words as its raw bytes.
      if (opts.frozenBf16 && isBf16StorableWeight(spec.name)) tensors.set(spec.name, tf.tensor2d(packBf16(data), [spec.shape[0]!, spec.shape[1]! / 2], 'int32'));
      else tensors.set(spec.name, tf.tensor(data, spec.shape, 'float32'));
    }
    const model = new CausalLM(config, tensors) as CausalLM & { loadReport: LoadReport };
    model.loadReport = { unused: accepted };
    return model;
  } catch (e) {
    for (const t of tensors.values()) t.dispose();
    throw e;
  } finally {
    store.close();
  }
}

/** With tie_word_embeddings, a stored lm_head.weight must equal the embeddings (else which one is the model?). */
function checkTiedHead(store: ReturnType<typeof openCheckpointTensors>, dir: string): void {
  const head = store.info('lm_head.weight');
  const embed = store.info('model.embed_tokens.weight');
  const field = 'tensor "lm_head.weight"';
  if (head.shape.join() !== embed.shape.join())
    throw new CheckpointError(`shape [${head.shape}] differs from model.embed_tokens.weight [${embed.shape}] although config.json sets tie_word_embeddings`, store.fileOf('lm_head.weight'), field);
  const a = store.readFloat32('lm_head.weight');
  const b = store.readFloat32('model.embed_tokens.weight');
  for (let i = 0; i < a.length; i++)
    if (!Object.is(a[i], b[i]) && a[i] !== b[i])
      throw new CheckpointError(
        `differs from model.embed_tokens.weight at flat index ${i} (${a[i]} vs ${b[i]}) although config.json sets tie_word_embeddings: set it to false in ${path.join(dir, 'config.json')} to use both, or remove lm_head.weight`,
        store.fileOf('lm_head.weight'),
        field,
      );
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
  checkMemory(`the model (${parameterCount(config)} float32 weights)`, weightBytes(config), tensorMemoryBudget());
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
