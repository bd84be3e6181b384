/** One dataset example, whatever the source format. */
export interface Example {
  /** Stable identifier: the row's id field when there is one, else `<format>/<file name>#<line>`. */
  id: string;
  /** The question / problem text, as the prompt format receives it. */
  question: string;
  /** The reference answer (GSM8K: the number after `#### `; MATH: the last `\boxed{}`). */
  answer: string;
  /** Reference solution / chain of thought, when the dataset has one. */
  solution?: string;
  /** The original row, untouched (reward functions receive it). */
  row: Record<string, unknown>;
  /** Where it came from: the 1-based JSONL line, or row of a JSON array or parquet file (errors about it cite it). */
  line?: number;
}

/** A row that was skipped with `onError: 'skip'`. `line` is 1-based (JSONL line or parquet/JSON-array row). */
export interface SkippedRow {
  line: number;
  reason: string;
}

/** What every loader returns: nothing is dropped silently. */
export interface LoadResult {
  examples: Example[];
  skipped: SkippedRow[];
  /** The file that was read (path as given). */
  file: string;
}
