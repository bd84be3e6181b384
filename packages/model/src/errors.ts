import { FileError, readJsonFile } from '@softcot/base';

/**
 * Errors raised on bad input. The message always names the file and the field it is about, e.g.
 * `model.safetensors: tensor "model.layers.0.self_attn.q_proj.weight": data offsets [10, 5] are reversed`.
 *
 * Both call forms work: `new CheckpointError(detail, { file, field })` and `new ConfigError(detail, file, field)`.
 * The message is `file: field: detail`; the field part is left out when `detail` already mentions it.
 */
export interface SoftcotErrorOptions {
  /** File the problem is in (path as given by the caller). */
  file?: string;
  /** Field / entry inside the file, e.g. `tensor "lm_head.weight"`, `weight_map`, `eos_token`. */
  field?: string;
  cause?: unknown;
}

export class SoftcotError extends Error {
  readonly file?: string;
  readonly field?: string;
  /** The message without the `file: field:` prefix. */
  readonly detail: string;

  constructor(detail: string, fileOrOpts?: string | SoftcotErrorOptions, field?: string) {
    const opts: SoftcotErrorOptions = typeof fileOrOpts === 'string' ? { file: fileOrOpts, field } : { ...fileOrOpts };
    if (typeof fileOrOpts !== 'string' && field !== undefined && opts.field === undefined) opts.field = field;
    const parts: string[] = [];
    if (opts.file) parts.push(opts.file);
    if (opts.field && !detail.includes(opts.field)) parts.push(opts.field);
    parts.push(detail);
    super(parts.join(': '), opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = new.target.name;
    this.detail = detail;
    if (opts.file !== undefined) this.file = opts.file;
    if (opts.field !== undefined) this.field = opts.field;
  }
}

/** Bad or inconsistent weights files (safetensors, shard index). */
export class CheckpointError extends SoftcotError {}
/** Bad tokenizer.json / tokenizer_config.json / chat template. */
export class TokenizerError extends SoftcotError {}
/** Bad config.json / generation_config.json values. */
export class ConfigError extends SoftcotError {}

/**
 * The model computed NaN or ±Inf logits from finite inputs: weights that are finite but overflow float32 in the
 * computation (loading refuses NaN/Inf weights, not huge ones), or an extreme setting. Never turned into tokens.
 */
export class NonFiniteLogitsError extends Error {
  constructor(where: string) {
    super(`the model's logits are not finite ${where}: its weights overflow float32 (or a setting such as τ or σ is extreme); nothing was generated from them`);
    this.name = 'NonFiniteLogitsError';
  }
}

/**
 * Read a JSON file of a model folder (regular file, size limit, strict UTF-8, bounded nesting); problems become
 * `Cls` errors naming the file.
 */
export function readModelJson(file: string, Cls: typeof SoftcotError, what = 'file'): unknown {
  try {
    return readJsonFile(file, { what });
  } catch (e) {
    if (e instanceof FileError) throw new Cls(e.detail, { file: e.file, cause: e });
    throw e;
  }
}
