// I/O errors that name their file. Node's errors from file-descriptor calls (write, fsync, close) carry no path, and
// its messages read like "ENOSPC: no space left on device, write"; every softcot read and write reports
// `<file>: <what was being done>: <why, in words>` instead.

/** An error about one file: the message is `file: detail`. */
export class FileError extends Error {
  readonly file: string;
  /** The message without the `file: ` prefix. */
  readonly detail: string;
  /** The Node error code (ENOSPC, EACCES, ...) when the error came from the operating system. */
  readonly code?: string;

  constructor(file: string, detail: string, opts: { code?: string; cause?: unknown } = {}) {
    super(`${file}: ${detail}`, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'FileError';
    this.file = file;
    this.detail = detail;
    if (opts.code !== undefined) this.code = opts.code;
  }
}

const ERRNO_WORDS: Record<string, string> = {
  ENOENT: 'not found',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  EEXIST: 'already exists',
  ENOTEMPTY: 'the folder is not empty',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many levels of symbolic links',
  EFBIG: 'the file is too large',
  EXDEV: 'cannot move across file systems',
  EBUSY: 'busy',
  ETXTBSY: 'busy',
  EINVAL: 'invalid argument',
};

/** The Node error code of `e`, if it has one. */
export function errnoCode(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** "no space left on the device (ENOSPC)" for a Node error; the first line of the message otherwise. */
export function errnoWords(e: unknown): string {
  const code = errnoCode(e);
  if (code && ERRNO_WORDS[code]) return `${ERRNO_WORDS[code]} (${code})`;
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0]!;
}

/**
 * `e` as a FileError about `file`: "file: cannot write: no space left on the device (ENOSPC)". A FileError passes
 * through unchanged (it already names its file); so does any error that is not from the operating system.
 */
export function fileError(file: string, e: unknown, action: string): Error {
  if (e instanceof FileError) return e;
  const code = errnoCode(e);
  if (code === undefined || !/^E[A-Z]+$/.test(code)) return e instanceof Error ? e : new Error(String(e));
  return new FileError(file, `${action}: ${errnoWords(e)}`, { code, cause: e });
}

/** Run `fn`; an operating-system error becomes a FileError naming `file` and `action`. */
export function withFile<T>(file: string, action: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw fileError(file, e, action);
  }
}
