// Atomic file writes: a reader (or a run resumed after a crash) sees the old file or the new one, never a part.
import * as fs from 'node:fs';
import * as path from 'node:path';

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
    if (!['EINVAL', 'EISDIR', 'EPERM', 'EBADF'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Write `file` atomically: a temporary file in the same folder (so the rename stays on one file system), fsync,
 * rename over `file`, fsync the folder. Missing parent folders are created. `data` is the content, or a function
 * that writes it to the open file descriptor (to stream large files). On failure the temporary file is removed and
 * `file` is left as it was.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array | ((fd: number) => void)): void {
  const dir = path.dirname(path.resolve(file));
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}-${tempCounter++}`);
  const fd = fs.openSync(tmp, 'w');
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
    throw e;
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
