import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '@softcot/base';
import { DatasetError } from './errors';

/** One non-blank line of a JSONL file: its 1-based line number and either the parsed value or the parse error. */
export type JsonlRecord = { line: number; value: unknown; error?: undefined } | { line: number; value?: undefined; error: string };

/** Throws a clear DatasetError when `path` is missing or not a regular file. */
export function assertFileExists(path: string): void {
  if (!existsSync(path)) throw new DatasetError('file not found', { file: path });
  if (!statSync(path).isFile()) throw new DatasetError('not a regular file', { file: path });
}

/**
 * Parses a JSONL file line by line. Blank lines are ignored (they are not rows); a UTF-8 BOM and
 * `\r\n` line endings are accepted. Lines that are not valid JSON are returned with `error` set, so the
 * caller decides whether to throw or skip.
 */
export function parseJsonlRecords(path: string): JsonlRecord[] {
  assertFileExists(path);
  let text = readFileSync(path, 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const out: JsonlRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let s = lines[i]!;
    if (s.endsWith('\r')) s = s.slice(0, -1);
    if (s.trim() === '') continue;
    try {
      out.push({ line: i + 1, value: JSON.parse(s) });
    } catch (e) {
      out.push({ line: i + 1, error: `invalid JSON: ${(e as Error).message}` });
    }
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
  mkdirSync(dirname(path), { recursive: true });
  const list = Array.isArray(rows) ? (rows as readonly unknown[]) : [rows];
  if (list.length === 0) return;
  appendFileSync(path, serialise(list, path), 'utf8');
}
