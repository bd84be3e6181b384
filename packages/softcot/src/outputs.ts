// Outputs that cannot destroy anything, checked before any work: an output is a regular file or a new path (never a
// device, FIFO, folder or link), never one of the command's inputs, and names that become paths stay inside their
// folder. (Every write is also atomic: @softcot/base's writeFileAtomic, which refuses non-regular targets itself.)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertReplaceableFile, FileError } from '@softcot/base';
import { UsageError } from './args';

/** The file's identity: device and inode when it exists (hard links and symbolic links included), else its path. */
function identity(p: string): string {
  try {
    const st = fs.statSync(p);
    return `inode ${st.dev}:${st.ino}`;
  } catch {
    return `path ${path.resolve(p)}`;
  }
}

/** Refuse an output that is one of the inputs (the same file or folder, however it is named). */
export function assertNotAnInput(output: string, flag: string, inputs: Record<string, string | undefined>): void {
  const id = identity(output);
  for (const [inputFlag, input] of Object.entries(inputs))
    if (input !== undefined && identity(input) === id) throw new UsageError(`${flag} ${output} is the input ${inputFlag} ${input}; write the output elsewhere`);
}

/** Every file of a model folder, as inputs an output must not replace ("--model config.json": path). */
export function modelInputs(dir: string): Record<string, string> {
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return {}; // a missing folder is reported when the model loads
  }
  return Object.fromEntries(names.map((n) => [`--model ${n}`, path.join(dir, n)]));
}

/** An output file: a regular file or a new path, and not an input. */
export function checkOutputFile(file: string, flag: string, inputs: Record<string, string | undefined>): void {
  assertNotAnInput(file, flag, inputs);
  assertReplaceableFile(file);
}

/**
 * An output folder: a folder or a new path, not an input, and none of the files the command writes there
 * (`writes`, relative names) an input or anything but a regular file.
 */
export function checkOutputFolder(dir: string, flag: string, inputs: Record<string, string | undefined>, writes: readonly string[]): void {
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw new FileError(dir, `${flag} must be a folder (or a new path), but this is a file`);
  assertNotAnInput(dir, flag, inputs);
  for (const name of writes) checkOutputFile(path.join(dir, name), flag, inputs);
}

/**
 * A name that becomes a path component (compare's model names, report folders): letters, digits, ".", "_" and
 * "-", not "." or "..", at most 100 characters. `--models "../../evil=DIR"` is refused, not written outside --out.
 */
export function safeName(name: string, flag: string): string {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(name) || name === '.' || name === '..')
    throw new UsageError(`${flag}: name ${JSON.stringify(name)} becomes a folder name: use letters, digits, ".", "_" and "-" only (not "." or "..", at most 100 characters)`);
  return name;
}

/**
 * `--out` must be a new path or an empty folder; an existing model folder (or anything else) is replaced only with
 * --force, and never when it is an input (a file or folder inside it).
 */
export function checkNewModelFolder(out: string, force: boolean, inputs: Record<string, string | undefined>): void {
  if (!fs.existsSync(out)) return;
  if (!fs.statSync(out).isDirectory()) throw new FileError(out, '--out exists and is not a folder');
  for (const [flag, input] of Object.entries(inputs)) {
    if (input === undefined) continue;
    const inside = path.relative(path.resolve(out), path.resolve(input));
    if (!inside.startsWith('..') && !path.isAbsolute(inside)) throw new UsageError(`--out ${out} holds the input ${flag} ${input}; write the model elsewhere`);
  }
  const entries = fs.readdirSync(out);
  if (entries.length > 0 && !force) {
    const what = entries.includes('config.json') ? 'a model folder' : `a folder that is not empty (${entries.length} entries)`;
    throw new UsageError(`--out ${out} is ${what}; pass --force to replace it, or choose a new path`);
  }
}
