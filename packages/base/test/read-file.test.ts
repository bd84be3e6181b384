import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MAX_INPUT_BYTES, firstInvalidUtf8, jsonTooDeepAt, makeRng, parseJsonText, readJsonFile, readTextFile, utf8Lines } from '../src';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'softcot-read-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Uint8Array) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, content);
  return f;
};

describe('firstInvalidUtf8', () => {
  it('agrees with a fatal TextDecoder on random and edge-case bytes', () => {
    const fatal = new TextDecoder('utf-8', { fatal: true });
    const valid = (b: Uint8Array) => {
      try {
        fatal.decode(b);
        return true;
      } catch {
        return false;
      }
    };
    const rng = makeRng(5);
    const samples: Uint8Array[] = [
      Buffer.from('héllo wörld 你好 🎉'),
      new Uint8Array([0xc0, 0x80]), // overlong NUL
      new Uint8Array([0xe0, 0x80, 0x80]), // overlong
      new Uint8Array([0xed, 0xa0, 0x80]), // surrogate
      new Uint8Array([0xf4, 0x90, 0x80, 0x80]), // past U+10FFFF
      new Uint8Array([0xf0, 0x9f, 0x8e]), // cut off at the end
      new Uint8Array([0xff]),
    ];
    for (let i = 0; i < 3000; i++) {
      const n = 1 + Math.floor(rng.uniform() * 8);
      // Mostly bytes near the multi-byte boundaries, where the rules are.
      samples.push(Uint8Array.from({ length: n }, () => (rng.uniform() < 0.3 ? Math.floor(rng.uniform() * 128) : 0x80 + Math.floor(rng.uniform() * 128))));
    }
    for (const b of samples) {
      const at = firstInvalidUtf8(b);
      expect(at === -1, `[${[...b].map((x) => x.toString(16))}]`).toBe(valid(b));
      if (at >= 0) expect(valid(b.subarray(0, at))).toBe(true); // everything before the reported byte is valid
    }
  });
});

describe('readTextFile and readJsonFile', () => {
  it('read UTF-8 (a BOM dropped) and refuse invalid bytes with their line and column', () => {
    expect(readTextFile(file('bom.txt', '\ufeffhi\n'))).toBe('hi\n');
    const bad = file('bad.txt', Buffer.concat([Buffer.from('line one\nab'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]));
    expect(() => readTextFile(bad)).toThrow(`${bad}: invalid UTF-8 at line 2, column 3 (byte 0xc3); softcot reads UTF-8 text only`);
  });

  it('refuse what is not a regular file, at once (a FIFO is not waited on), and files over the size limit', () => {
    expect(() => readTextFile(path.join(dir, 'missing.json'), { what: 'config file' })).toThrow(/missing\.json: config file not found$/);
    expect(() => readTextFile(dir)).toThrow(/is a folder/);
    const fifo = path.join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    expect(() => readTextFile(fifo)).toThrow(`${fifo}: is a FIFO (named pipe); expected a regular file`);
    expect(() => readTextFile('/dev/zero')).toThrow(/is a device/);
    const big = path.join(dir, 'big.json');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, MAX_INPUT_BYTES + 1);
    expect(() => readTextFile(big)).toThrow(/the file is 268 MB, more than the 268 MB limit/);
    expect(() => readTextFile(file('small.txt', '12345'), { maxBytes: 4 })).toThrow(/the file is 5 B, more than the 4 B limit/);
  });

  it('bound JSON nesting before parsing, skipping brackets inside strings', () => {
    expect(jsonTooDeepAt('[[["]]]]]]"]]]', 3)).toBe(-1);
    expect(jsonTooDeepAt('{"a": [[[1]]]}', 3)).toBe(8);
    expect(jsonTooDeepAt('"\\"[[[["', 1)).toBe(-1);
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(() => parseJsonText(deep, 'x.json')).toThrow('x.json: JSON nested deeper than 100 levels (at line 1, column 101)');
    expect(parseJsonText('['.repeat(100) + ']'.repeat(100), 'ok.json')).toBeInstanceOf(Array);
    expect(() => readJsonFile(file('trail.json', '{"a": 1,}'))).toThrow(/trail\.json: invalid JSON \(/);
  });

  it('utf8Lines splits bytes into lines and reports a bad line without losing the others', () => {
    const lines = utf8Lines(Buffer.concat([Buffer.from('\ufeffa\r\n'), Buffer.from([0x62, 0xff]), Buffer.from('\nc')]));
    expect(lines).toEqual([
      { line: 1, text: 'a' },
      { line: 2, error: 'invalid UTF-8 at column 2 (byte 0xff)' },
      { line: 3, text: 'c' },
    ]);
  });
});
