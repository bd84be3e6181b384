// One writer per folder: a lock file created with link(2) (atomic: it fails when the file exists), holding the
// holder's pid, host and a random token. A second writer is refused while the holder lives; a lock whose holder is
// dead (same host, no such process) is taken over. Released by the holder, and on process exit.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileError, fileError, withFile } from './file-errors';
import { makeFolder } from './atomic-write';

export const LOCK_FILE = '.softcot.lock';

interface LockRecord {
  pid: number;
  host: string;
  token: string;
  started: string;
  what: string;
}

export interface FolderLock {
  readonly file: string;
  /** A stale lock of a dead process that was taken over, or null. */
  readonly recovered: LockRecord | null;
  release(): void;
}

/** Tokens of the locks this process holds: a lock file with our pid but another token is a previous incarnation's. */
const heldTokens = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

function readLock(file: string): LockRecord | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw fileError(file, e, 'cannot read the lock');
  }
  try {
    const r = JSON.parse(text) as LockRecord;
    if (Number.isInteger(r.pid) && typeof r.host === 'string' && typeof r.token === 'string') return r;
  } catch {
    // fall through: unreadable content
  }
  // A lock file cut off by a crash between create and write cannot be told from a live one by content: our own
  // writes are atomic (link of a complete file), so such a file was not made by softcot.
  throw new FileError(file, 'is not a softcot lock file (unreadable content); remove it if no softcot run uses this folder');
}

/**
 * Lock `dir` for writing (created if missing). Throws a FileError naming the lock file when a live process holds it,
 * or when the holder is on another host (its liveness cannot be checked). `what` describes the writer for messages.
 */
export function lockFolder(dir: string, what = 'softcot run'): FolderLock {
  makeFolder(dir);
  const file = path.join(dir, LOCK_FILE);
  const record: LockRecord = { pid: process.pid, host: os.hostname(), token: crypto.randomUUID(), started: new Date().toISOString(), what };
  const tmp = path.join(dir, `.${LOCK_FILE}.tmp-${process.pid}`);
  withFile(tmp, 'cannot write the lock', () => fs.writeFileSync(tmp, JSON.stringify(record) + '\n'));
  let recovered: LockRecord | null = null;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(tmp, file);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fileError(file, e, 'cannot create the lock');
      }
      const holder = readLock(file);
      if (holder === null) continue; // released meanwhile: try again
      const ours = holder.pid === process.pid && heldTokens.has(holder.token);
      const dead = holder.host === record.host && !ours && (holder.pid === process.pid || !alive(holder.pid));
      if (!dead || attempt > 3) {
        const who = `pid ${holder.pid}${holder.host !== record.host ? ` on host ${holder.host}` : ''}, started ${holder.started}`;
        const hint = holder.host !== record.host ? '; if that run is over, remove the lock file' : '; wait for it to finish, stop it, or use another folder';
        throw new FileError(file, `${dir} is in use by another ${holder.what} (${who})${hint}`, { code: 'ELOCKED' });
      }
      // Take over a dead holder's lock: move it aside under a name of our own, and check that what we moved is
      // the lock we judged dead (another process may have recovered it and locked meanwhile; then put it back).
      const aside = path.join(dir, `.${LOCK_FILE}.old-${process.pid}`);
      try {
        fs.renameSync(file, aside);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw fileError(file, e, 'cannot take over the stale lock');
      }
      const moved = readLock(aside);
      if (moved && moved.token !== holder.token) {
        try {
          fs.linkSync(aside, file);
        } catch {
          // someone locked in between: their lock stands; ours is refused on the next round
        }
        fs.rmSync(aside, { force: true });
        continue;
      }
      fs.rmSync(aside, { force: true });
      recovered = holder;
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  heldTokens.add(record.token);
  const onExit = () => release();
  process.on('exit', onExit);
  let released = false;
  function release(): void {
    if (released) return;
    released = true;
    process.off('exit', onExit);
    heldTokens.delete(record.token);
    try {
      const now = readLock(file);
      if (now && now.token === record.token) fs.rmSync(file, { force: true });
    } catch {
      // an unreadable lock file is not ours to remove
    }
  }
  return { file, recovered, release };
}
