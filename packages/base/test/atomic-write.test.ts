import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../src';

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
