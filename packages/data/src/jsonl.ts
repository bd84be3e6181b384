import { appendFileSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatBytes, jsonTooDeepAt, makeFolder, MAX_INPUT_BYTES, MAX_JSON_DEPTH, openRegularFile, readRegularFile, utf8Lines, withFile, writeFileAtomic } from '@softcot/base';
import { DatasetError, datasetReadError } from './errors';

/** One non-blank line of a JSONL file: its 1-based line number and either the parsed value or the parse error. */
export type JsonlRecord = { line: number; value: unknown; error?: undefined } | { line: number; value?: undefined; error: string };

/** Longest text field accepted in a dataset row (question, answer, solution): 1,000,000 characters. */
export const MAX_FIELD_CHARS = 1_000_000;

/** Throws a clear DatasetError when `path` is missing or not a regular file. */
export function assertFileExists(path: string): void {
  let size: number;
  try {
    const opened = openRegularFile(path, 'file');
    closeSync(opened.fd);
    size = opened.size;
  } catch (e) {
    return datasetReadError(e);
  }
  if (size > MAX_INPUT_BYTES) throw new DatasetError(`the file is ${formatBytes(size)}, more than the ${formatBytes(MAX_INPUT_BYTES)} limit`, { file: path });
}

/** The bytes of a dataset file: a regular file within the input size limit. */
export function readDatasetBytes(path: string): Buffer {
  try {
    return readRegularFile(path);
  } catch (e) {
    return datasetReadError(e);
  }
}

/** A JSONL line as a record: the value, or why it is not one (bad JSON, nested too deep). */
export function parseJsonLine(text: string, line: number): JsonlRecord {
  if (jsonTooDeepAt(text) >= 0) return { line, error: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` };
  try {
    return { line, value: JSON.parse(text) };
  } catch (e) {
    return { line, error: `invalid JSON: ${(e as Error).message}` };
  }
}

/**
 * Parses a JSONL file line by line. Blank lines are ignored (they are not rows); a UTF-8 BOM and
 * `\r\n` line endings are accepted. Lines that are not valid JSON, not valid UTF-8 or nested too deeply are
 * returned with `error` set, so the caller decides whether to throw or skip.
 */
export function parseJsonlRecords(path: string): JsonlRecord[] {
  const out: JsonlRecord[] = [];
  for (const l of utf8Lines(readDatasetBytes(path))) {
    if (l.error !== undefined) out.push({ line: l.line, error: l.error });
    else if (l.text.trim() !== '') out.push(parseJsonLine(l.text, l.line));
  }
  return out;
}

/** Reads every row of a JSONL file; throws a DatasetError naming file and line on the first bad line. */
export function readJsonl<T = unknown>(path: string): T[] {
  return parseJsonlRecords(path).map((r) => {
    if (r.error !== undefined) throw new DatasetError(r.error, { file: path, line: r.line });
    return r.value as T;
  });
}

function serialise(rows: readonly unknown[], path: string): string {
  let s = '';
  rows.forEach((row, i) => {
    const line = JSON.stringify(row);
    if (line === undefined) throw new DatasetError(`row ${i} cannot be serialised to JSON`, { file: path, line: i + 1 });
    s += line + '\n';
  });
  return s;
}

/** Writes rows as JSONL atomically (see writeFileAtomic). Creates parent folders. */
export function writeJsonl(path: string, rows: readonly unknown[]): void {
  writeFileAtomic(path, serialise(rows, path));
}

/** Appends one row (or several rows, when given an array) to a JSONL file, creating it and its folder if needed. */
export function appendJsonl(path: string, rows: unknown | readonly unknown[]): void {
  makeFolder(dirname(path));
  const list = Array.isArray(rows) ? (rows as readonly unknown[]) : [rows];
  if (list.length === 0) return;
  const text = serialise(list, path);
  withFile(path, 'cannot append', () => appendFileSync(path, text, 'utf8'));
}
