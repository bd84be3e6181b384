// Reading input files without surprises: only regular files (a FIFO would block for ever, a device could be
// endless), a size limit checked before reading, strict UTF-8 (an invalid byte is an error with its line, never a
// silent U+FFFD), and JSON with bounded nesting (deeper values would overflow the stack of whatever walks them).
// Every error names the file. The limits are documented in docs/reliability.md.
import * as fs from 'node:fs';
import { FileError, fileError, withFile } from './file-errors';
import { formatBytes } from './sizes';

/** Largest input file softcot reads into memory (JSON, JSONL, text): 256 MiB. V8's strings stop at 512 MiB. */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;
/** Deepest JSON nesting accepted: far above any real config, tokenizer or dataset row (about 10 levels). */
export const MAX_JSON_DEPTH = 100;

export interface ReadOptions {
  /** What the file is, for messages ("config file", "dataset"). Default "file". */
  what?: string;
  /** Refuse files larger than this (default MAX_INPUT_BYTES). */
  maxBytes?: number;
}

/**
 * Open `file` for reading, refusing anything but a regular file (opened non-blocking, so a FIFO without a writer
 * is reported instead of waited on). Returns the descriptor and the size; the caller closes it.
 */
export function openRegularFile(file: string, what = 'file'): { fd: number; size: number } {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FileError(file, `${what} not found`, { code, cause: e });
    if (code === 'EISDIR') throw new FileError(file, `is a folder; expected a ${what === 'file' ? 'file' : what}`, { code, cause: e });
    throw fileError(file, e, `cannot open the ${what}`);
  }
  const st = fs.fstatSync(fd);
  if (!st.isFile()) {
    fs.closeSync(fd);
    const kind = st.isDirectory() ? 'a folder' : st.isFIFO() ? 'a FIFO (named pipe)' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'not a regular file';
    throw new FileError(file, `is ${kind}; expected a regular ${what === 'file' ? 'file' : what}`);
  }
  return { fd, size: st.size };
}

/** The bytes of a regular file of at most `maxBytes`. */
export function readRegularFile(file: string, opts: ReadOptions = {}): Buffer {
  const what = opts.what ?? 'file';
  const max = opts.maxBytes ?? MAX_INPUT_BYTES;
  const { fd, size } = openRegularFile(file, what);
  try {
    if (size > max) throw new FileError(file, `the ${what} is ${formatBytes(size)}, more than the ${formatBytes(max)} limit`);
    return withFile(file, `cannot read the ${what}`, () => fs.readFileSync(fd));
  } finally {
    fs.closeSync(fd);
  }
}

/** 1-based line and column (in characters) of offset `at` in `text`. */
export function lineAndColumn(text: string, at: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < at && i < text.length; i++)
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  return { line, column: at - start + 1 };
}

/** Byte offset of the first invalid UTF-8 sequence in `b` (RFC 3629: no overlongs, surrogates or > U+10FFFF), or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0; // overlong
      if (c === 0xed) hi = 0x9f; // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90; // overlong
      if (c === 0xf4) hi = 0x8f; // past U+10FFFF
    } else return i;
    if (i + n >= b.length) return i; // cut off at the end
    const second = b[i + 1]!;
    if (second < lo || second > hi) return i;
    for (let k = 2; k <= n; k++) {
      const x = b[i + k]!;
      if (x < 0x80 || x > 0xbf) return i;
    }
    i += n + 1;
  }
  return -1;
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** `bytes` as text; invalid UTF-8 is a FileError naming the line and column of the first bad byte. */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, Math.max(0, at)));
    const { line, column } = lineAndColumn(before, before.length);
    throw new FileError(file, `invalid UTF-8 at line ${line}, column ${column} (byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')}); softcot reads UTF-8 text only`, { code: 'EUTF8' });
  }
}

/** One line of a byte buffer split at "\n" (a "\r" before it dropped): its text, or why it is not UTF-8. */
export type Utf8Line = { line: number; text: string; error?: undefined } | { line: number; text?: undefined; error: string };

/** Split bytes into lines and decode each strictly, so that a caller can skip a bad line and keep the rest. */
export function utf8Lines(bytes: Uint8Array): Utf8Line[] {
  const out: Utf8Line[] = [];
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0; // BOM
  let line = 1;
  while (start <= bytes.length) {
    let end = bytes.indexOf(10, start);
    if (end < 0) end = bytes.length;
    let stop = end;
    if (stop > start && bytes[stop - 1] === 13) stop--;
    const chunk = bytes.subarray(start, stop);
    try {
      out.push({ line, text: strictDecoder.decode(chunk) });
    } catch {
      const at = firstInvalidUtf8(chunk);
      out.push({ line, error: `invalid UTF-8 at column ${new TextDecoder('utf-8').decode(chunk.subarray(0, at)).length + 1} (byte 0x${(chunk[at] ?? 0).toString(16).padStart(2, '0')})` });
    }
    if (end === bytes.length) break;
    start = end + 1;
    line++;
  }
  return out;
}

/** The text of a regular UTF-8 file (a leading BOM dropped). */
export function readTextFile(file: string, opts: ReadOptions = {}): string {
  const text = decodeUtf8(readRegularFile(file, opts), file);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Offset of the first bracket that opens level `maxDepth + 1` of a JSON text (strings skipped), or -1. */
export function jsonTooDeepAt(text: string, maxDepth = MAX_JSON_DEPTH): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > maxDepth) return i;
    } else if (c === 93 || c === 125) depth--;
  }
  return -1;
}

/**
 * Parse JSON text from `source` (a file name, or "file:line" for a JSONL line). Errors name the source: invalid
 * JSON with the parser's position, or nesting deeper than `maxDepth`.
 */
export function parseJsonText(text: string, source: string, maxDepth = MAX_JSON_DEPTH): unknown {
  const deep = jsonTooDeepAt(text, maxDepth);
  if (deep >= 0) {
    const { line, column } = lineAndColumn(text, deep);
    throw new FileError(source, `JSON nested deeper than ${maxDepth} levels (at line ${line}, column ${column})`, { code: 'EJSONDEPTH' });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FileError(source, `invalid JSON (${(e as Error).message})`, { code: 'EJSON', cause: e });
  }
}

/** Read and parse a JSON file: regular file, size limit, strict UTF-8, bounded nesting. */
export function readJsonFile(file: string, opts: ReadOptions & { maxDepth?: number } = {}): unknown {
  return parseJsonText(readTextFile(file, opts), file, opts.maxDepth);
}
