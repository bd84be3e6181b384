import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appendJsonl, DatasetError, readJsonl, writeJsonl } from '../src';

const dir = mkdtempSync(join(tmpdir(), 'softcot-jsonl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('JSONL utilities', () => {
  it('writeJsonl is atomic (no temp files left) and round-trips; appendJsonl appends', () => {
    const p = join(dir, 'sub', 'rows.jsonl');
    const rows = [{ a: 1 }, { b: 'two\nlines' }, [3], 'str', null];
    writeJsonl(p, rows);
    expect(readJsonl(p)).toEqual(rows);
    writeJsonl(p, [{ x: 1 }]);
    expect(readJsonl(p)).toEqual([{ x: 1 }]);
    appendJsonl(p, { y: 2 });
    appendJsonl(p, [{ z: 3 }, { w: 4 }]);
    expect(readJsonl(p)).toEqual([{ x: 1 }, { y: 2 }, { z: 3 }, { w: 4 }]);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['rows.jsonl']);
    expect(readFileSync(p, 'utf8').split('\n')).toHaveLength(5);
  });

  it('readJsonl names file and line on bad JSON; blank lines and BOM are fine', () => {
    const p = join(dir, 'bad.jsonl');
    writeFileSync(p, '\ufeff{"a":1}\n\n{"a":\n');
    expect(() => readJsonl(p)).toThrow(DatasetError);
    expect(() => readJsonl(p)).toThrow(new RegExp(`bad\\.jsonl:3: invalid JSON`));
    const q = join(dir, 'ok.jsonl');
    writeFileSync(q, '\ufeff{"a":1}\r\n\r\n{"a":2}\r\n');
    expect(readJsonl(q)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(() => readJsonl(join(dir, 'missing.jsonl'))).toThrow(/missing\.jsonl: file not found/);
  });
});
