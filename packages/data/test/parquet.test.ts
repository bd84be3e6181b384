import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetError, loadDataset, loadDatasetSync, loadMath, readParquetRows } from '../src';
import { writeParquet } from './helpers/parquet-writer';

const dir = mkdtempSync(join(tmpdir(), 'softcot-parquet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parquet loading (hyparquet; files written by a minimal test writer)', () => {
  it('round-trips string, int64 and nullable columns', async () => {
    const path = join(dir, 'rt.parquet');
    writeParquet(path, [
      { name: 'question', type: 'string', values: ['What is 2+2?', 'Ünïcødé √2 ≈ ?', 'x'] },
      { name: 'answer', type: 'string', optional: true, values: ['4', '1.414', null] },
      { name: 'idx', type: 'int64', values: [10n, 11n, 12n] },
      { name: 'score', type: 'double', values: [0.5, 1, -2] },
    ]);
    const rows = await readParquetRows(path);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ question: 'What is 2+2?', answer: '4', score: 0.5 });
    expect(rows[1]!.question).toBe('Ünïcødé √2 ≈ ?');
    expect(rows[2]!.answer).toBeNull();
    expect(BigInt(rows[2]!.idx as bigint)).toBe(12n);
  });

  it('loadDataset reads .parquet by extension, with fields, id and skip mode', async () => {
    const path = join(dir, 'generic.parquet');
    writeParquet(path, [
      { name: 'q', type: 'string', values: ['a?', 'b?', 'c?'] },
      { name: 'a', type: 'string', optional: true, values: ['1', null, '3'] },
      { name: 'uid', type: 'int64', values: [7n, 8n, 9n] },
    ]);
    const res = await loadDataset(path, { format: 'generic', fields: { question: 'q', answer: 'a', id: 'uid' }, onError: 'skip' });
    expect(res.examples.map((e) => [e.id, e.question, e.answer])).toEqual([
      ['7', 'a?', '1'],
      ['9', 'c?', '3'],
    ]);
    expect(res.skipped).toEqual([{ line: 2, reason: 'field "a" is missing' }]);
    await expect(loadDataset(path, { format: 'generic', fields: { question: 'q', answer: 'a' } })).rejects.toMatchObject({
      name: 'DatasetError',
      file: path,
      line: 2,
      field: 'a',
    });
    expect(() => loadDatasetSync(path)).toThrow(/async loadDataset/);
  });

  it('MATH-style parquet derives the answer from the last \\boxed{}', async () => {
    const path = join(dir, 'math.parquet');
    writeParquet(path, [
      { name: 'problem', type: 'string', values: ['p1', 'p2'] },
      { name: 'solution', type: 'string', values: ['So \\boxed{1} then \\boxed{\\frac{1}{2}}.', 'Hence $\\boxed{x^{2}}$'] },
      { name: 'answer', type: 'string', optional: true, values: [null, ''] },
    ]);
    const res = await loadMath(path);
    expect(res.examples.map((e) => e.answer)).toEqual(['\\frac{1}{2}', 'x^{2}']);
  });

  it('a corrupt parquet file gives a DatasetError naming the file', async () => {
    const path = join(dir, 'bad.parquet');
    writeFileSync(path, 'this is not parquet at all');
    const err = await loadDataset(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as DatasetError).message).toContain(path);
  });
});
