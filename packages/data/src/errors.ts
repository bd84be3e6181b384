import { FileError } from '@softcot/base';

/**
 * Error for a bad dataset file or row. The message always starts with `file:line:` (or `file:` for
 * whole-file problems) and names the field, e.g.
 * `data/train.jsonl:17: field "question" is missing`.
 */
export class DatasetError extends Error {
  readonly file: string;
  readonly line?: number;
  readonly field?: string;
  /** The message without the `file:line:` prefix. */
  readonly detail: string;
  /** A malformed row, which `onError: 'skip'` (the CLI's --skip-bad-rows) would skip and count. */
  readonly skippable: boolean;

  constructor(detail: string, opts: { file: string; line?: number; field?: string; cause?: unknown; hint?: string; skippable?: boolean }) {
    const where = opts.line !== undefined ? `${opts.file}:${opts.line}` : opts.file;
    super(`${where}: ${detail}${opts.hint ? ` (${opts.hint})` : ''}`, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'DatasetError';
    this.detail = detail;
    this.skippable = opts.skippable ?? false;
    this.file = opts.file;
    if (opts.line !== undefined) this.line = opts.line;
    if (opts.field !== undefined) this.field = opts.field;
  }
}

/** `e` (from @softcot/base's readers) as a DatasetError about the same file. */
export function datasetReadError(e: unknown): never {
  if (e instanceof FileError) throw new DatasetError(e.detail, { file: e.file, cause: e });
  throw e;
}
