// Atomic file writes: a reader (or a run resumed after a crash) sees the old file or the new one, never a part.
// Writes go only to regular files or new paths (renaming over /dev/null as root would replace the device), every
// error names the file, and a failed write leaves nothing behind. Temporary names follow one pattern,
// `.<name>.tmp-<pid>[-<n>]`, so that removeLeftoverTemps can find what a killed process left.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileError, fileError, withFile } from './file-errors';

let tempCounter = 0;

/** fsync a folder so that a rename inside it survives a power loss (a no-op where folders cannot be opened). */
function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(dir, 'r');
  } catch {
    return; // Windows cannot open a folder; its renames are durable without it
  }
  try {
    fs.fsyncSync(fd);
  } catch (e) {
    // Some file systems refuse fsync on a folder; the data itself is already on disk.
    if (!['EINVAL', 'EISDIR', 'EPERM', 'EBADF'].includes((e as NodeJS.ErrnoException).code ?? '')) throw fileError(dir, e, 'cannot sync the folder');
  } finally {
    fs.closeSync(fd);
  }
}

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Refuse to replace anything but a regular file: devices, FIFOs, folders, sockets and symbolic links are kept. */
export function assertReplaceableFile(file: string): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw fileError(file, e, 'cannot inspect the output');
  }
  if (!st.isFile()) throw new FileError(file, `is ${kindOf(st)}; softcot writes only to a regular file or a new path`);
}

/** mkdir -p whose errors name the folder ("read-only file system", "a part of the path is not a folder"). */
export function makeFolder(dir: string): void {
  withFile(dir, 'cannot create the folder', () => fs.mkdirSync(dir, { recursive: true }));
}

/** The temporary name of `target` for process `pid` (optionally numbered). */
export function tempName(target: string, n?: number): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}${n === undefined ? '' : `-${n}`}`);
}

/**
 * Write `file` atomically: a temporary file in the same folder (so the rename stays on one file system), fsync,
 * rename over `file`, fsync the folder. Missing parent folders are created. `data` is the content, or a function
 * that writes it to the open file descriptor (to stream large files). On failure (a full disk included) the
 * temporary file is removed, `file` is left as it was, and the error names `file`.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array | ((fd: number) => void)): void {
  assertReplaceableFile(file);
  const dir = path.dirname(path.resolve(file));
  makeFolder(dir);
  const tmp = tempName(path.resolve(file), tempCounter++);
  const fd = withFile(file, 'cannot create a temporary file beside it', () => fs.openSync(tmp, 'wx'));
  try {
    try {
      if (typeof data === 'function') data(fd);
      else writeAll(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw fileError(file, e, 'cannot write');
  }
  fsyncDir(dir);
}

/** `value` as indented JSON plus a newline, written atomically. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

/** Write every byte (writeSync may write fewer than asked; chunks stay under the 2 GiB per-call limit). */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 30));
}

/**
 * Create the folder `final` atomically: `fill` writes into a temporary folder beside it, which is then renamed into
 * place. An existing `final` is replaced only with `replace` (it is moved aside to `.<name>.old-<pid>`, the new
 * folder renamed in, the old one removed; at every instant one complete folder exists under one of the two names,
 * and removeLeftoverTemps puts an orphaned `.old` back). On failure the temporary folder is removed.
 */
export function writeFolderAtomic(final: string, fill: (tmp: string) => void, opts: { replace?: boolean } = {}): void {
  const target = path.resolve(final);
  makeFolder(path.dirname(target));
  const tmp = tempName(target);
  const old = path.join(path.dirname(target), `.${path.basename(target)}.old-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  withFile(tmp, 'cannot create a temporary folder', () => fs.mkdirSync(tmp));
  try {
    fill(tmp);
    fsyncDir(tmp);
    const exists = fs.existsSync(target);
    if (exists && !opts.replace) throw new FileError(final, 'already exists');
    if (exists) withFile(final, 'cannot move the old folder aside', () => fs.renameSync(target, old));
    withFile(final, 'cannot rename the new folder into place', () => fs.renameSync(tmp, target));
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (fs.existsSync(old) && !fs.existsSync(target)) fs.renameSync(old, target);
    // A file of the temporary folder is reported where it was going: <final>/<name>.
    if (e instanceof FileError && e.file.startsWith(tmp)) throw new FileError(path.join(final, path.relative(tmp, e.file)), e.detail, { ...(e.code ? { code: e.code } : {}), cause: e });
    throw fileError(final, e, 'cannot write');
  }
  fs.rmSync(old, { recursive: true, force: true });
  fsyncDir(path.dirname(target));
}

const LEFTOVER = /^\.(.+)\.(tmp|old)-\d+(?:-\d+)?$/;

/**
 * Remove what interrupted writes left in `dir` (not recursive): temporary files and folders of writeFileAtomic,
 * writeFolderAtomic and the checkpoint writer. An orphaned `.<name>.old-<pid>` whose `<name>` is missing is the only
 * complete copy (the process died between two renames): it is renamed back. Call it only where no other process
 * can be writing (a locked run folder). Returns the names removed or restored.
 */
export function removeLeftoverTemps(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw fileError(dir, e, 'cannot list the folder');
  }
  const done: string[] = [];
  for (const n of names) {
    const m = LEFTOVER.exec(n);
    if (!m) continue;
    const full = path.join(dir, n);
    const original = path.join(dir, m[1]!);
    if (m[2] === 'old' && !fs.existsSync(original)) withFile(full, 'cannot restore', () => fs.renameSync(full, original));
    else withFile(full, 'cannot remove', () => fs.rmSync(full, { recursive: true, force: true }));
    done.push(n);
  }
  return done;
}
