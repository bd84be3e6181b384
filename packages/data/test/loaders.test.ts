import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DatasetError,
  gsm8kReference,
  loadDataset,
  loadDatasetSync,
  loadDeepScaleR,
  loadGsm8k,
  loadMath,
} from '../src';
import { sharedDir } from '../../../test-support/shared-data';

const shared = sharedDir();
const gsmDir = shared ? join(shared, 'datasets', 'gsm8k') : null;
const mathDir = shared ? join(shared, 'datasets', 'math') : null;
const haveGsm = gsmDir !== null && existsSync(join(gsmDir, 'train.jsonl'));
const haveMath = mathDir !== null && existsSync(join(mathDir, 'train.jsonl'));
if (!haveGsm || !haveMath) console.warn(`[data] shared datasets not found (sharedDir() = ${shared}); real-data loader tests are skipped`);

const dir = mkdtempSync(join(tmpdir(), 'softcot-loaders-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe.skipIf(!haveGsm)('GSM8K (shared/datasets/gsm8k)', () => {
  it('train-sample.jsonl: 200 examples, first one checked', async () => {
    const res = await loadGsm8k(join(gsmDir!, 'train-sample.jsonl'));
    expect(res.examples).toHaveLength(200);
    expect(res.skipped).toHaveLength(0);
    const ex = res.examples[0]!;
    expect(ex.question.startsWith('Natalia sold clips to 48 of her friends')).toBe(true);
    expect(ex.answer).toBe('72');
    expect(ex.solution).toBe('Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.');
    expect(ex.id).toBe('gsm8k/train-sample.jsonl#1');
    expect(ex.row.answer).toContain('#### 72');
  });

  it('train.jsonl: all 7473 rows load, references are plain numbers without commas', async () => {
    const res = await loadGsm8k(join(gsmDir!, 'train.jsonl'));
    expect(res.examples).toHaveLength(7473);
    expect(res.skipped).toHaveLength(0);
    for (const ex of res.examples) {
      expect(ex.answer).not.toContain(',');
      expect(ex.answer).toMatch(/^-?[\d.]+$/);
      expect(ex.solution).not.toContain('####');
    }
    expect(new Set(res.examples.map((e) => e.id)).size).toBe(7473);
  });

  it('limit stops early', async () => {
    const res = await loadGsm8k(join(gsmDir!, 'train.jsonl'), { limit: 5 });
    expect(res.examples).toHaveLength(5);
  });
});

describe.skipIf(!haveMath)('MATH (shared/datasets/math)', () => {
  it('train.jsonl: strict mode stops at the first row without a usable reference', async () => {
    // number_theory/7115 and 7117 have an empty \boxed{} (and answer "") in the raw MATH data.
    await expect(loadMath(join(mathDir!, 'train.jsonl'))).rejects.toMatchObject({ line: 9842, field: 'answer' });
  });

  it('train.jsonl: 12000 rows = 11998 examples + 2 skipped rows (empty \\boxed{}), with unique_id ids', async () => {
    const res = await loadMath(join(mathDir!, 'train.jsonl'), { onError: 'skip' });
    expect(res.examples).toHaveLength(11998);
    expect(res.skipped.map((s) => s.line)).toEqual([9842, 9844]);
    for (const ex of res.examples) {
      expect(ex.answer.length).toBeGreaterThan(0);
      expect(typeof ex.solution).toBe('string');
      expect(ex.id).toBe(ex.row.unique_id);
    }
  });

  it('the answer derived from the last \\boxed{} matches the stored answer field', async () => {
    // Pretend the answer field is missing: the loader falls back to the last \boxed{} of the solution.
    const derived = await loadMath(join(mathDir!, 'train.jsonl'), { fields: { answer: '__none__' }, onError: 'skip' });
    expect(derived.examples).toHaveLength(11998);
    let same = 0;
    const diffs: string[] = [];
    for (const ex of derived.examples) {
      if (ex.answer === (ex.row.answer as string).trim()) same++;
      else if (diffs.length < 5) diffs.push(`${ex.id}: ${ex.answer} vs ${String(ex.row.answer)}`);
    }
    if (diffs.length) console.log(`[data] MATH derived answers that differ (${11998 - same}):`, diffs);
    expect(same / 11998).toBeGreaterThan(0.995);
  });
});

describe('malformed files', () => {
  const gsm = [
    JSON.stringify({ question: 'q1', answer: 'work\n#### 1,000' }),
    '{"question": "q2", "answer": "#### 2"', // bad JSON (line 2)
    '',
    JSON.stringify({ question: 'q3' }), // missing answer (line 4)
    JSON.stringify({ question: 5, answer: '#### 5' }), // non-string question (line 5)
    JSON.stringify({ question: 'q6', answer: 'no marker' }), // no #### (line 6)
    JSON.stringify({ question: 'q7', answer: '#### 7' }),
    '[1, 2]', // not an object (line 8)
  ].join('\n');

  it('throw mode: DatasetError with file, line and field', async () => {
    const p = file('gsm-bad.jsonl', gsm);
    const err = await loadGsm8k(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect(err).toMatchObject({ file: p, line: 2 });
    expect((err as Error).message).toMatch(new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: invalid JSON`));
  });

  it('throw mode reports the field of a missing field', () => {
    const p = file('gsm-missing.jsonl', [JSON.stringify({ question: 'q1', answer: '#### 1' }), JSON.stringify({ question: 'q2' })].join('\n'));
    expect(() => loadDatasetSync(p, { format: 'gsm8k' })).toThrow(`${p}:2: field "answer" is missing`);
    try {
      loadDatasetSync(p, { format: 'gsm8k' });
    } catch (e) {
      expect(e).toMatchObject({ file: p, line: 2, field: 'answer' });
    }
  });

  it('skip mode: every bad line is counted with its reason', async () => {
    const p = file('gsm-bad2.jsonl', gsm);
    const res = await loadGsm8k(p, { onError: 'skip' });
    expect(res.examples.map((e) => [e.question, e.answer])).toEqual([
      ['q1', '1000'],
      ['q7', '7'],
    ]);
    expect(res.skipped.map((s) => s.line)).toEqual([2, 4, 5, 6, 8]);
    expect(res.skipped[0]!.reason).toMatch(/^invalid JSON/);
    expect(res.skipped[1]!.reason).toBe('field "answer" is missing');
    expect(res.skipped[2]!.reason).toBe('field "question" must be a string, got number');
    expect(res.skipped[3]!.reason).toContain('####');
    expect(res.skipped[4]!.reason).toBe('row must be a JSON object, got array');
  });

  it('missing file, empty file and all-bad file are errors', async () => {
    await expect(loadGsm8k(join(dir, 'nope.jsonl'))).rejects.toThrow(/nope\.jsonl: file not found/);
    await expect(loadGsm8k(file('empty.jsonl', '\n\n  \n'))).rejects.toThrow(/dataset is empty/);
    await expect(loadGsm8k(file('allbad.jsonl', '{"x":1}\nnot json\n'), { onError: 'skip' })).rejects.toThrow(
      /no valid examples: all 2 rows were malformed \(first, line 1: field "question" is missing\)/,
    );
  });

  it('bad options are clear errors', async () => {
    const p = file('ok.jsonl', JSON.stringify({ question: 'q', answer: 'a' }));
    await expect(loadDataset(p, { limit: 0 })).rejects.toThrow(/limit must be a positive integer/);
    // @ts-expect-error testing a bad format name
    await expect(loadDataset(p, { format: 'nope' })).rejects.toThrow(/unknown format "nope"/);
  });
});

describe('MATH / DeepScaleR / generic rows', () => {
  it('MATH: stored answer wins, missing/empty falls back to the last box, no box is an error', async () => {
    const p = file(
      'math.jsonl',
      [
        { problem: 'p1', solution: 'x \\boxed{3}', answer: '4' },
        { problem: 'p2', solution: 'a \\boxed{1} b \\boxed{\\{1,2\\}}' },
        { problem: 'p3', solution: '\\fbox{7}', answer: '' },
        { problem: 'p4', solution: 'no box here' },
        { problem: 'p5', answer: 'only answer' },
        { problem: 'p6', solution: '\\boxed{ok} then \\boxed{unclosed' },
        { problem: 'p7', solution: 'so \\boxed 5', answer: '  ' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const res = await loadMath(p, { onError: 'skip' });
    expect(res.examples.map((e) => e.answer)).toEqual(['4', '\\{1,2\\}', '7', 'only answer', 'ok', '5']);
    expect(res.skipped).toEqual([{ line: 4, reason: 'field "answer" is missing and field "solution" has no \\boxed{} answer' }]);
  });

  it('DeepScaleR: problem/answer with optional solution; numbers need coerceNumbers', async () => {
    const p = file('ds.jsonl', [{ problem: 'p1', answer: '12' }, { problem: 'p2', answer: 5, solution: 's' }].map((r) => JSON.stringify(r)).join('\n'));
    await expect(loadDeepScaleR(p)).rejects.toThrow(`${p}:2: field "answer" must be a string, got number`);
    const res = await loadDeepScaleR(p, { coerceNumbers: true });
    expect(res.examples.map((e) => [e.question, e.answer, e.solution])).toEqual([
      ['p1', '12', undefined],
      ['p2', '5', 's'],
    ]);
  });

  it('generic JSONL with custom fields, and a .json array file', () => {
    const rows = [
      { id: 'a', prompt: 'P1', target: ' T1 ', why: 'W1' },
      { id: 'b', prompt: 'P2', target: 'T2' },
    ];
    const p = file('gen.jsonl', rows.map((r) => JSON.stringify(r)).join('\r\n') + '\r\n');
    const res = loadDatasetSync(p, { fields: { question: 'prompt', answer: 'target', solution: 'why' } });
    expect(res.examples).toEqual([
      { id: 'a', question: 'P1', answer: 'T1', solution: 'W1', row: rows[0] },
      { id: 'b', question: 'P2', answer: 'T2', row: rows[1] },
    ]);
    const j = file('gen.json', JSON.stringify(rows));
    const res2 = loadDatasetSync(j, { fields: { question: 'prompt', answer: 'target' } });
    expect(res2.examples.map((e) => e.id)).toEqual(['a', 'b']);
  });
});

describe('helpers', () => {
  it('gsm8kReference strips commas and takes the last marker', () => {
    expect(gsm8kReference('x\n#### 1,234,567')).toBe('1234567');
    expect(gsm8kReference('#### 1\n#### -2.5')).toBe('-2.5');
    expect(gsm8kReference('none')).toBeNull();
  });
});
