import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { removeLeftoverTemps, writeFileAtomic, writeFolderAtomic, writeJsonAtomic } from '../src';
import { fillDiskAfter } from '../../../test-support/fault-injection';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'softcot-atomic-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('writes text, bytes and streamed content, creating folders, leaving no temporary file', () => {
    const f = path.join(dir, 'a', 'b', 'file.txt');
    writeFileAtomic(f, 'héllo\n');
    expect(fs.readFileSync(f, 'utf8')).toBe('héllo\n');
    writeFileAtomic(f, new Uint8Array([1, 2, 3]));
    expect([...fs.readFileSync(f)]).toEqual([1, 2, 3]);
    writeFileAtomic(f, (fd) => {
      fs.writeSync(fd, 'one ');
      fs.writeSync(fd, 'two');
    });
    expect(fs.readFileSync(f, 'utf8')).toBe('one two');
    expect(fs.readdirSync(path.dirname(f))).toEqual(['file.txt']);
  });

  it('a failing write leaves the old file untouched and removes the temporary file', () => {
    const f = path.join(dir, 'keep.txt');
    writeFileAtomic(f, 'old');
    expect(() =>
      writeFileAtomic(f, (fd) => {
        fs.writeSync(fd, 'half of the new');
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(fs.readFileSync(f, 'utf8')).toBe('old');
    expect(fs.readdirSync(dir).filter((n) => n.includes('keep'))).toEqual(['keep.txt']);
  });

  it('writeJsonAtomic writes indented JSON with a final newline', () => {
    const f = path.join(dir, 'x.json');
    writeJsonAtomic(f, { a: [1, 2] });
    expect(fs.readFileSync(f, 'utf8')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}\n');
  });
});

describe('outputs that cannot destroy anything, and faults that leave nothing behind', () => {
  it('refuses to replace a device, a FIFO, a folder or a symbolic link, naming it', () => {
    expect(() => writeFileAtomic('/dev/null', 'x')).toThrow('/dev/null: is a device; softcot writes only to a regular file or a new path');
    const link = path.join(dir, 'link');
    fs.symlinkSync('/etc/hostname', link);
    expect(() => writeFileAtomic(link, 'x')).toThrow(`${link}: is a symbolic link`);
    expect(() => writeFileAtomic(dir, 'x')).toThrow(`${dir}: is a folder`);
    expect(fs.readlinkSync(link)).toBe('/etc/hostname');
  });

  it('a full disk: the error names the file, the old content stays, no temporary file is left', () => {
    const f = path.join(dir, 'full', 'data.bin');
    writeFileAtomic(f, 'old');
    const restore = fillDiskAfter(10);
    try {
      expect(() => writeFileAtomic(f, new Uint8Array(100))).toThrow(`${f}: cannot write: no space left on the device (ENOSPC)`);
    } finally {
      restore();
    }
    expect(fs.readFileSync(f, 'utf8')).toBe('old');
    expect(fs.readdirSync(path.dirname(f))).toEqual(['data.bin']);
  });

  it('writeFolderAtomic: a new folder at once, an existing one only replaced when asked, nothing left on failure', () => {
    const target = path.join(dir, 'model');
    writeFolderAtomic(target, (tmp) => fs.writeFileSync(path.join(tmp, 'a'), '1'));
    expect(() => writeFolderAtomic(target, (tmp) => fs.writeFileSync(path.join(tmp, 'a'), '2'))).toThrow(`${target}: already exists`);
    writeFolderAtomic(target, (tmp) => fs.writeFileSync(path.join(tmp, 'b'), '2'), { replace: true });
    expect(fs.readdirSync(target)).toEqual(['b']);
    const restore = fillDiskAfter(0);
    try {
      expect(() => writeFolderAtomic(target, (tmp) => writeFileAtomic(path.join(tmp, 'w.json'), '{}'), { replace: true })).toThrow(
        `${path.join(target, 'w.json')}: cannot write: no space left on the device (ENOSPC)`,
      );
    } finally {
      restore();
    }
    expect(fs.readdirSync(target)).toEqual(['b']);
    expect(fs.readdirSync(dir).filter((n) => n.includes('model'))).toEqual(['model']);
  });

  it('removeLeftoverTemps removes what killed writes left and puts an orphaned old folder back', () => {
    const d = path.join(dir, 'leftovers');
    fs.mkdirSync(path.join(d, '.step-000003.tmp-4242'), { recursive: true });
    fs.writeFileSync(path.join(d, '.step-000003.tmp-4242', 'model.safetensors'), 'part');
    fs.writeFileSync(path.join(d, '.metrics.jsonl.tmp-4242-7'), 'part');
    fs.symlinkSync('step-000002', path.join(d, '.latest.tmp-4242'));
    fs.mkdirSync(path.join(d, '.best.old-4242'));
    fs.writeFileSync(path.join(d, '.best.old-4242', 'best.json'), '{}');
    fs.writeFileSync(path.join(d, 'keep.tmp'), 'not ours');
    expect(removeLeftoverTemps(d).sort()).toEqual(['.best.old-4242', '.latest.tmp-4242', '.metrics.jsonl.tmp-4242-7', '.step-000003.tmp-4242']);
    expect(fs.readdirSync(d).sort()).toEqual(['best', 'keep.tmp']);
    expect(fs.readdirSync(path.join(d, 'best'))).toEqual(['best.json']);
  });
});
