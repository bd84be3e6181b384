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
