import { basename, extname } from 'node:path';
import { decodeUtf8, jsonTooDeepAt, lineAndColumn, MAX_JSON_DEPTH } from '@softcot/base';
import { lastBoxedContent } from '@softcot/rewards';
import { DatasetError } from './errors';
import { MAX_FIELD_CHARS, parseJsonlRecords, readDatasetBytes, type JsonlRecord } from './jsonl';
import { readParquetRows } from './parquet';
import type { Example, LoadResult, SkippedRow } from './types';

export type DatasetFormat = 'gsm8k' | 'math' | 'deepscaler' | 'generic';
export type FileType = 'jsonl' | 'json' | 'parquet';

/** Which row fields hold the question, the answer, the (optional) solution and the (optional) id. */
export interface FieldMap {
  question: string;
  answer: string;
  solution?: string;
  id?: string;
}

export interface LoadOptions {
  /** 'throw' (default): the first malformed row throws a DatasetError. 'skip': it is recorded in `skipped`. */
  onError?: 'throw' | 'skip';
  /** Stop after this many valid examples (a positive integer). */
  limit?: number;
  /** Override field names (merged over the format's defaults). */
  fields?: Partial<FieldMap>;
  /** Accept finite numbers / bigints in the answer field (stringified). Default false: non-strings are errors. */
  coerceNumbers?: boolean;
  /** File type; by default from the extension: `.parquet` → parquet, `.json` → JSON array, otherwise JSONL. */
  fileType?: FileType;
}

export interface LoadDatasetOptions extends LoadOptions {
  format?: DatasetFormat;
}

/** Default field names of each format. */
export const DEFAULT_FIELDS: Record<DatasetFormat, FieldMap> = {
  gsm8k: { question: 'question', answer: 'answer', id: 'id' },
  math: { question: 'problem', answer: 'answer', solution: 'solution', id: 'unique_id' },
  deepscaler: { question: 'problem', answer: 'answer', solution: 'solution', id: 'id' },
  generic: { question: 'question', answer: 'answer', solution: 'solution', id: 'id' },
};

/** A problem with one row; becomes a DatasetError (throw mode) or a SkippedRow (skip mode). */
class RowProblem {
  constructor(
    readonly reason: string,
    readonly field?: string,
  ) {}
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function getString(row: Record<string, unknown>, field: string, what: { required: true; coerce?: boolean }): string;
function getString(row: Record<string, unknown>, field: string, what: { required: false; coerce?: boolean }): string | undefined;
function getString(row: Record<string, unknown>, field: string, what: { required: boolean; coerce?: boolean }): string | undefined {
  const v = row[field];
  if (v === undefined || v === null) {
    if (what.required) throw new RowProblem(`field "${field}" is missing`, field);
    return undefined;
  }
  if (typeof v === 'string') {
    if (v.length > MAX_FIELD_CHARS) throw new RowProblem(`field "${field}" has ${v.length} characters, more than the ${MAX_FIELD_CHARS} accepted`, field);
    return v;
  }
  if (what.coerce && ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'bigint')) return String(v);
  throw new RowProblem(`field "${field}" must be a string, got ${describeType(v)}`, field);
}

function nonEmpty(s: string, field: string): string {
  if (s.trim() === '') throw new RowProblem(`field "${field}" is empty`, field);
  return s;
}

/** GSM8K: the final answer after the last `#### `, commas stripped. */
export function gsm8kReference(answer: string): string | null {
  const at = answer.lastIndexOf('####');
  if (at < 0) return null;
  const ref = answer.slice(at + 4).trim().replace(/,/g, '');
  return ref === '' ? null : ref;
}

/** GSM8K: the worked solution before `####` (calculator annotations kept). */
export function gsm8kSolution(answer: string): string {
  const at = answer.lastIndexOf('####');
  return (at < 0 ? answer : answer.slice(0, at)).trimEnd();
}

function toExample(
  row: unknown,
  format: DatasetFormat,
  fields: FieldMap,
  opts: LoadOptions,
  defaultId: string,
): Example {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) {
    throw new RowProblem(`row must be a JSON object, got ${describeType(row)}`);
  }
  const r = row as Record<string, unknown>;
  const question = nonEmpty(getString(r, fields.question, { required: true }), fields.question);
  let idValue: string | undefined;
  if (fields.id !== undefined) {
    const v = r[fields.id];
    if (typeof v === 'string' && v !== '') idValue = v;
    else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'bigint') idValue = String(v);
  }
  const id = idValue ?? defaultId;
  const coerce = opts.coerceNumbers ?? false;

  if (format === 'gsm8k') {
    const raw = nonEmpty(getString(r, fields.answer, { required: true, coerce }), fields.answer);
    const answer = gsm8kReference(raw);
    if (answer === null) throw new RowProblem(`field "${fields.answer}" has no "#### <final answer>" line`, fields.answer);
    return { id, question, answer, solution: gsm8kSolution(raw), row: r };
  }

  const solution = fields.solution !== undefined ? getString(r, fields.solution, { required: false }) : undefined;
  let answer = getString(r, fields.answer, { required: false, coerce });
  if (answer !== undefined) answer = answer.trim();
  if (format === 'math' && (answer === undefined || answer === '')) {
    if (solution === undefined) {
      throw new RowProblem(`field "${fields.answer}" is missing and there is no "${fields.solution}" to take the last \\boxed{} from`, fields.answer);
    }
    const boxed = lastBoxedContent(solution);
    if (boxed === null) {
      throw new RowProblem(`field "${fields.answer}" is missing and field "${fields.solution}" has no \\boxed{} answer`, fields.answer);
    }
    answer = boxed;
  }
  if (answer === undefined) throw new RowProblem(`field "${fields.answer}" is missing`, fields.answer);
  if (answer === '') throw new RowProblem(`field "${fields.answer}" is empty`, fields.answer);
  const ex: Example = { id, question, answer, row: r };
  if (solution !== undefined) ex.solution = solution;
  return ex;
}

function detectFileType(path: string, opts: LoadOptions): FileType {
  if (opts.fileType) return opts.fileType;
  const ext = extname(path).toLowerCase();
  if (ext === '.parquet') return 'parquet';
  if (ext === '.json') return 'json';
  return 'jsonl';
}

function validateOptions(path: string, format: DatasetFormat, opts: LoadOptions): void {
  if (!(format in DEFAULT_FIELDS)) {
    throw new DatasetError(`unknown format "${String(format)}" (expected gsm8k, math, deepscaler or generic)`, { file: path, field: 'format' });
  }
  if (opts.limit !== undefined && !(Number.isInteger(opts.limit) && opts.limit >= 1)) {
    throw new DatasetError(`limit must be a positive integer, got ${String(opts.limit)}`, { file: path, field: 'limit' });
  }
  if (opts.onError !== undefined && opts.onError !== 'throw' && opts.onError !== 'skip') {
    throw new DatasetError(`onError must be 'throw' or 'skip', got ${String(opts.onError)}`, { file: path, field: 'onError' });
  }
}

/** JSON file holding an array of rows (a `.json` file that is not an array is read as JSONL). */
function readJsonArrayRecords(path: string): JsonlRecord[] {
  let text: string;
  try {
    text = decodeUtf8(readDatasetBytes(path), path);
  } catch {
    return parseJsonlRecords(path); // invalid UTF-8: reported per line (and skippable) as JSONL
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // The array is one level; its rows may nest MAX_JSON_DEPTH more.
  const deep = jsonTooDeepAt(text, MAX_JSON_DEPTH + 1);
  if (deep >= 0) throw new DatasetError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels (at line ${lineAndColumn(text, deep).line})`, { file: path });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return parseJsonlRecords(path);
  }
  if (!Array.isArray(parsed)) {
    // A single JSON object on one line is a one-row JSONL file.
    return parseJsonlRecords(path);
  }
  return parsed.map((value, i) => ({ line: i + 1, value }));
}

/** Turns parsed records into examples; the shared core of every loader. */
export function examplesFromRecords(
  records: readonly JsonlRecord[],
  file: string,
  format: DatasetFormat,
  opts: LoadOptions = {},
): LoadResult {
  validateOptions(file, format, opts);
  const fields: FieldMap = { ...DEFAULT_FIELDS[format], ...stripUndefined(opts.fields ?? {}) };
  const skip = opts.onError === 'skip';
  const examples: Example[] = [];
  const skipped: SkippedRow[] = [];
  const name = basename(file);
  for (const rec of records) {
    if (opts.limit !== undefined && examples.length >= opts.limit) break;
    try {
      if (rec.error !== undefined) throw new RowProblem(rec.error);
      examples.push({ ...toExample(rec.value, format, fields, opts, `${format}/${name}#${rec.line}`), line: rec.line });
    } catch (e) {
      if (!(e instanceof RowProblem)) throw e;
      if (!skip) {
        throw new DatasetError(e.reason, {
          file,
          line: rec.line,
          skippable: true,
          hint: "pass onError: 'skip' to skip malformed rows; they are listed in `skipped`",
          ...(e.field !== undefined ? { field: e.field } : {}),
        });
      }
      skipped.push({ line: rec.line, reason: e.reason });
    }
  }
  if (examples.length === 0) {
    const detail =
      records.length === 0
        ? 'dataset is empty (no rows)'
        : `dataset has no valid examples: all ${skipped.length} rows were malformed (first, line ${skipped[0]?.line}: ${skipped[0]?.reason})`;
    throw new DatasetError(detail, { file });
  }
  return { examples, skipped, file };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/**
 * Loads a dataset file: JSONL (one object per line), a JSON array (`.json`) or parquet (`.parquet`).
 * Row numbers in errors and `skipped` are 1-based JSONL line numbers, or 1-based row numbers for JSON arrays
 * and parquet files.
 */
export async function loadDataset(path: string, opts: LoadDatasetOptions = {}): Promise<LoadResult> {
  const format = opts.format ?? 'generic';
  validateOptions(path, format, opts);
  const type = detectFileType(path, opts);
  if (type === 'parquet') {
    const rows = await readParquetRows(path);
    return examplesFromRecords(
      rows.map((value, i) => ({ line: i + 1, value })),
      path,
      format,
      opts,
    );
  }
  return loadDatasetSync(path, opts);
}

/** Synchronous `loadDataset` for JSONL and JSON files (parquet needs the async version). */
export function loadDatasetSync(path: string, opts: LoadDatasetOptions = {}): LoadResult {
  const format = opts.format ?? 'generic';
  validateOptions(path, format, opts);
  const type = detectFileType(path, opts);
  if (type === 'parquet') throw new DatasetError('parquet files need the async loadDataset()', { file: path });
  const records = type === 'json' ? readJsonArrayRecords(path) : parseJsonlRecords(path);
  return examplesFromRecords(records, path, format, opts);
}

/** GSM8K (`question`, `answer` with a final `#### N` line): answer = N without commas, solution = the text before `####`. */
export function loadGsm8k(path: string, opts: LoadOptions = {}): Promise<LoadResult> {
  return loadDataset(path, { ...opts, format: 'gsm8k' });
}

/** MATH / PRM800K (`problem`, `solution`, `answer`): answer = the last `\boxed{}` of the solution when `answer` is missing or empty. */
export function loadMath(path: string, opts: LoadOptions = {}): Promise<LoadResult> {
  return loadDataset(path, { ...opts, format: 'math' });
}

/** DeepScaleR (`problem`, `answer`, optional `solution`). */
export function loadDeepScaleR(path: string, opts: LoadOptions = {}): Promise<LoadResult> {
  return loadDataset(path, { ...opts, format: 'deepscaler' });
}
