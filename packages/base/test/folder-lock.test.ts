import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCK_FILE, lockFolder } from '../src';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'softcot-lock-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/index.ts');

describe('lockFolder', () => {
  it('one holder at a time; released, the folder can be locked again', () => {
    const d = path.join(dir, 'a');
    const lock = lockFolder(d, 'test run');
    expect(lock.recovered).toBeNull();
    expect(() => lockFolder(d)).toThrow(new RegExp(`${LOCK_FILE}: .* is in use by another test run \\(pid ${process.pid}, started `));
    lock.release();
    expect(fs.existsSync(path.join(d, LOCK_FILE))).toBe(false);
    lockFolder(d).release();
    expect(fs.readdirSync(d)).toEqual([]);
  });

  it('refuses while another live process holds it, and takes over once that process is dead', async () => {
    const d = path.join(dir, 'b');
    // A real second process holds the lock until it is killed.
    const holder = spawn(process.execPath, ['--import', 'tsx', '-e', `import('${src}').then((m) => { m.lockFolder(${JSON.stringify(d)}, 'other run'); console.log('locked'); setInterval(() => {}, 1000); })`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => holder.stdout!.on('data', (b: Buffer) => b.toString().includes('locked') && resolve()));
    expect(() => lockFolder(d)).toThrow(new RegExp(`in use by another other run \\(pid ${holder.pid}, .*wait for it to finish, stop it, or use another folder`));
    holder.kill('SIGKILL'); // killed: no chance to release
    await new Promise((resolve) => holder.on('exit', resolve));
    const lock = lockFolder(d);
    expect(lock.recovered?.pid).toBe(holder.pid);
    lock.release();
  });

  it("a lock of a finished process (or of this pid in an earlier life) is stale; another host's is not decided here", () => {
    const d = path.join(dir, 'c');
    fs.mkdirSync(d);
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const write = (pid: number, host: string) => fs.writeFileSync(path.join(d, LOCK_FILE), JSON.stringify({ pid, host, token: 'old', started: 'then', what: 'run' }));
    write(dead, os.hostname());
    let lock = lockFolder(d);
    expect(lock.recovered?.pid).toBe(dead);
    lock.release();
    write(process.pid, os.hostname()); // a container restarted with the same pid: not one of our tokens
    lock = lockFolder(d);
    expect(lock.recovered?.pid).toBe(process.pid);
    lock.release();
    write(dead, 'another-host');
    expect(() => lockFolder(d)).toThrow(/on host another-host.*if that run is over, remove the lock file/);
    fs.writeFileSync(path.join(d, LOCK_FILE), 'garbage');
    expect(() => lockFolder(d)).toThrow(/is not a softcot lock file/);
  });
});
