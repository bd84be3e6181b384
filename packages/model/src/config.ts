// Hugging Face `config.json` -> the normalised config our transformer is built from.
// Field names and defaults follow transformers' LlamaConfig / Qwen2Config / Qwen3Config.
import { ConfigError } from './errors';

export type ModelType = 'llama' | 'qwen2' | 'qwen3';
export const SUPPORTED_MODEL_TYPES: readonly ModelType[] = ['llama', 'qwen2', 'qwen3'];

export type RopeScaling =
  | { type: 'default' }
  | { type: 'linear'; factor: number }
  | {
      type: 'llama3';
      factor: number;
      lowFreqFactor: number;
      highFreqFactor: number;
      originalMaxPositionEmbeddings: number;
    };

export interface ModelConfig {
  modelType: ModelType;
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  ropeScaling: RopeScaling;
  maxPositionEmbeddings: number;
  tieWordEmbeddings: boolean;
  /** q/k/v projections carry a bias (always for Qwen2; `attention_bias` for Llama/Qwen3). */
  qkvBias: boolean;
  /** o_proj carries a bias (Llama `attention_bias` only). */
  oBias: boolean;
  /** gate/up/down carry a bias (Llama `mlp_bias`). */
  mlpBias: boolean;
  /** Per-head RMSNorm on q and k before RoPE (Qwen3). */
  qkNorm: boolean;
  initializerRange: number;
  bosTokenId: number | null;
  eosTokenIds: number[];
  padTokenId: number | null;
  torchDtype: 'float32' | 'bfloat16' | 'float16';
  /** The original JSON, kept so that saving a model writes back every field we do not interpret. */
  raw: Record<string, unknown>;
}

type Json = Record<string, unknown>;

/**
 * Largest sizes accepted in a config.json, checked before anything is allocated (a typo such as
 * `num_hidden_layers: 1e9` must not start allocating). Far above every released model: Llama 3.1 405B has
 * hidden 16384, 126 layers, 128 heads; Gemma 3 has 262144 tokens; Llama 4 Scout 10M positions.
 */
export const CONFIG_LIMITS = {
  vocab_size: 1 << 24,
  hidden_size: 1 << 17,
  intermediate_size: 1 << 20,
  num_hidden_layers: 1024,
  num_attention_heads: 1024,
  num_key_value_heads: 1024,
  head_dim: 4096,
  max_position_embeddings: 1 << 27,
} as const;

function field<T>(json: Json, file: string, name: string, kind: 'int' | 'number' | 'bool', fallback?: T): T {
  const value = json[name];
  if (value === undefined || value === null) {
    if (fallback !== undefined) return fallback;
    throw new ConfigError(`missing required field "${name}"`, file, name);
  }
  const ok =
    kind === 'bool'
      ? typeof value === 'boolean'
      : typeof value === 'number' && Number.isFinite(value) && (kind === 'number' || Number.isInteger(value));
  if (!ok) throw new ConfigError(`field "${name}" must be ${kind === 'int' ? 'an integer' : `a ${kind}`}, got ${JSON.stringify(value)}`, file, name);
  return value as T;
}

function positiveInt(json: Json, file: string, name: keyof typeof CONFIG_LIMITS, fallback?: number): number {
  const v = field<number>(json, file, name, 'int', fallback);
  if (v <= 0) throw new ConfigError(`field "${name}" must be positive, got ${v}`, file, name);
  if (v > CONFIG_LIMITS[name]) throw new ConfigError(`field "${name}" is ${v}, more than the ${CONFIG_LIMITS[name]} softcot accepts`, file, name);
  return v;
}

/** A finite number > 0 (or >= 0 with `orZero`). */
function positiveNumber(json: Json, file: string, name: string, fallback: number, orZero = false): number {
  const v = field<number>(json, file, name, 'number', fallback);
  if (!(orZero ? v >= 0 : v > 0)) throw new ConfigError(`field "${name}" must be ${orZero ? 'a number >= 0' : 'a positive number'}, got ${v}`, file, name);
  return v;
}

/** A token id in [0, vocab_size), or null when absent. */
function tokenId(v: unknown, vocabSize: number, file: string, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ConfigError(`field "${name}" must be an integer token id, got ${JSON.stringify(v)}`, file, name);
  if (v < 0 || v >= vocabSize) throw new ConfigError(`field "${name}" is ${v}, outside the vocabulary [0, ${vocabSize}) (vocab_size)`, file, name);
  return v;
}

function optionalId(json: Json, file: string, name: string, vocabSize: number): number | null {
  const v = json[name];
  return v === undefined || v === null ? null : tokenId(v, vocabSize, file, name);
}

/** eos_token_id: an id or a list of ids (transformers allows both), every one inside the vocabulary. */
function eosIds(json: Json, file: string, vocabSize: number): number[] {
  const v = json.eos_token_id;
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return [tokenId(v, vocabSize, file, 'eos_token_id')];
  return v.map((x, i) => tokenId(x, vocabSize, file, `eos_token_id[${i}]`));
}

function parseRopeScaling(json: Json, file: string): { theta: number; scaling: RopeScaling } {
  // transformers v5 moved rope settings into `rope_parameters`; v4 uses `rope_theta` + `rope_scaling`.
  const where = json.rope_parameters !== undefined && json.rope_parameters !== null ? 'rope_parameters' : 'rope_scaling';
  const params = (json[where] ?? null) as Json | null;
  if (params !== null && (typeof params !== 'object' || Array.isArray(params)))
    throw new ConfigError(`field "${where}" must be an object or null, got ${JSON.stringify(params)}`, file, where);
  const thetaSource = where === 'rope_parameters' && params!.rope_theta !== undefined ? params! : json;
  const theta = field<number>(thetaSource, file, 'rope_theta', 'number', 10000);
  if (!(theta > 0)) throw new ConfigError(`field "rope_theta" must be a positive number, got ${theta}`, file, 'rope_theta');
  if (params === null) return { theta, scaling: { type: 'default' } };
  const kind = params.rope_type ?? params.type ?? 'default';
  if (typeof kind !== 'string') throw new ConfigError(`field "${where}.rope_type" must be a string, got ${JSON.stringify(kind)}`, file, `${where}.rope_type`);
  const num = (name: string, fallback?: number) => {
    const v = params[name] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      throw new ConfigError(`field "${where}.${name}" must be a positive number`, file, `${where}.${name}`);
    return v;
  };
  switch (kind) {
    case 'default':
      return { theta, scaling: { type: 'default' } };
    case 'linear':
      return { theta, scaling: { type: 'linear', factor: num('factor') } };
    case 'llama3': {
      const lowFreqFactor = num('low_freq_factor', 1);
      const highFreqFactor = num('high_freq_factor', 4);
      // RoPE's llama3 smoothing divides by high − low.
      if (!(highFreqFactor > lowFreqFactor))
        throw new ConfigError(`field "${where}.high_freq_factor" (${highFreqFactor}) must be greater than low_freq_factor (${lowFreqFactor})`, file, `${where}.high_freq_factor`);
      return {
        theta,
        scaling: {
          type: 'llama3',
          factor: num('factor'),
          lowFreqFactor,
          highFreqFactor,
          originalMaxPositionEmbeddings: num('original_max_position_embeddings', 8192),
        },
      };
    }
    default:
      throw new ConfigError(
        `${where}.rope_type "${kind}" is not supported (supported: default, linear, llama3)`,
        file,
        `${where}.rope_type`,
      );
  }
}

/** Validate and normalise a parsed config.json. `file` is used in error messages. */
export function parseModelConfig(json: unknown, file = 'config.json'): ModelConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new ConfigError('config must be a JSON object', file);
  const j = json as Json;
  const modelType = j.model_type;
  if (typeof modelType !== 'string') throw new ConfigError('missing field "model_type"', file, 'model_type');
  if (!(SUPPORTED_MODEL_TYPES as readonly string[]).includes(modelType))
    throw new ConfigError(
      `unknown model_type "${modelType}" (supported: ${SUPPORTED_MODEL_TYPES.join(', ')})`,
      file,
      'model_type',
    );
  const type = modelType as ModelType;
  const act = j.hidden_act ?? 'silu';
  if (act !== 'silu') throw new ConfigError(`hidden_act "${String(act)}" is not supported (only silu)`, file, 'hidden_act');

  const hiddenSize = positiveInt(j, file, 'hidden_size');
  const numHeads = positiveInt(j, file, 'num_attention_heads');
  const numKvHeads = positiveInt(j, file, 'num_key_value_heads', numHeads);
  if (numHeads % numKvHeads !== 0)
    throw new ConfigError(
      `num_attention_heads (${numHeads}) must be a multiple of num_key_value_heads (${numKvHeads})`,
      file,
      'num_key_value_heads',
    );
  const defaultHeadDim = Math.floor(hiddenSize / numHeads);
  const headDim = positiveInt(j, file, 'head_dim', defaultHeadDim);
  if (headDim % 2 !== 0) throw new ConfigError(`head_dim (${headDim}) must be even for RoPE`, file, 'head_dim');
  if (j.head_dim === undefined && hiddenSize % numHeads !== 0)
    throw new ConfigError('hidden_size must be divisible by num_attention_heads when head_dim is absent', file, 'hidden_size');

  const attentionBias = field<boolean>(j, file, 'attention_bias', 'bool', false);
  const { theta, scaling } = parseRopeScaling(j, file);
  const dtype = (j.torch_dtype ?? j.dtype ?? 'float32') as string;
  if (!['float32', 'bfloat16', 'float16'].includes(dtype))
    throw new ConfigError(`torch_dtype "${dtype}" is not supported`, file, 'torch_dtype');
  const vocabSize = positiveInt(j, file, 'vocab_size');
  const eosTokenIds = eosIds(j, file, vocabSize);
  const rmsNormEps = positiveNumber(j, file, 'rms_norm_eps', 1e-6);

  return {
    modelType: type,
    vocabSize,
    hiddenSize,
    intermediateSize: positiveInt(j, file, 'intermediate_size'),
    numLayers: positiveInt(j, file, 'num_hidden_layers'),
    numHeads,
    numKvHeads,
    headDim,
    rmsNormEps,
    ropeTheta: theta,
    ropeScaling: scaling,
    maxPositionEmbeddings: positiveInt(j, file, 'max_position_embeddings', 2048),
    tieWordEmbeddings: field<boolean>(j, file, 'tie_word_embeddings', 'bool', false),
    qkvBias: type === 'qwen2' ? true : attentionBias,
    oBias: type === 'llama' ? attentionBias : false,
    mlpBias: type === 'llama' ? field<boolean>(j, file, 'mlp_bias', 'bool', false) : false,
    qkNorm: type === 'qwen3',
    initializerRange: positiveNumber(j, file, 'initializer_range', 0.02, true),
    bosTokenId: optionalId(j, file, 'bos_token_id', vocabSize),
    eosTokenIds,
    padTokenId: optionalId(j, file, 'pad_token_id', vocabSize),
    torchDtype: dtype as ModelConfig['torchDtype'],
    raw: { ...j },
  };
}

/** The architectures string transformers expects for each family. */
export function architectureName(type: ModelType): string {
  return { llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM', qwen3: 'Qwen3ForCausalLM' }[type];
}

/** Build a complete HF config.json object for a new model (random init, synthetic tasks, tests). */
export function makeConfigJson(
  type: ModelType,
  sizes: {
    vocabSize: number;
    hiddenSize: number;
    intermediateSize: number;
    numLayers: number;
    numHeads: number;
    numKvHeads?: number;
    headDim?: number;
    maxPositionEmbeddings?: number;
    tieWordEmbeddings?: boolean;
    ropeTheta?: number;
    ropeScaling?: Record<string, unknown> | null;
    bosTokenId?: number | null;
    eosTokenId?: number | number[] | null;
    padTokenId?: number | null;
    rmsNormEps?: number;
    torchDtype?: 'float32' | 'bfloat16' | 'float16';
  },
): Record<string, unknown> {
  return {
    architectures: [architectureName(type)],
    model_type: type,
    vocab_size: sizes.vocabSize,
    hidden_size: sizes.hiddenSize,
    intermediate_size: sizes.intermediateSize,
    num_hidden_layers: sizes.numLayers,
    num_attention_heads: sizes.numHeads,
    num_key_value_heads: sizes.numKvHeads ?? sizes.numHeads,
    head_dim: sizes.headDim ?? Math.floor(sizes.hiddenSize / sizes.numHeads),
    hidden_act: 'silu',
    max_position_embeddings: sizes.maxPositionEmbeddings ?? 2048,
    rms_norm_eps: sizes.rmsNormEps ?? 1e-6,
    rope_theta: sizes.ropeTheta ?? 10000,
    rope_scaling: sizes.ropeScaling ?? null,
    tie_word_embeddings: sizes.tieWordEmbeddings ?? false,
    attention_bias: false,
    attention_dropout: 0,
    initializer_range: 0.02,
    bos_token_id: sizes.bosTokenId ?? null,
    eos_token_id: sizes.eosTokenId ?? null,
    pad_token_id: sizes.padTokenId ?? null,
    torch_dtype: sizes.torchDtype ?? 'float32',
    use_cache: true,
    ...(type === 'qwen2' ? { use_sliding_window: false, sliding_window: null } : {}),
  };
}
