import { describe, expect, it } from 'vitest';
import { UsageError, optChoice, optFloat, optInt, optIntList, parseFlags, requireString } from '../src/args';
import { parseModelList } from '../src/commands/compare';
import { guessFormat } from '../src/commands/inputs';

describe('parseFlags', () => {
  const spec = { model: { type: 'string' as const }, quick: { type: 'boolean' as const } };
  it('parses flags and --flag=value; returns null for --help', () => {
    expect(parseFlags(['--model', 'a', '--quick'], spec)).toMatchObject({ model: 'a', quick: true });
    expect(parseFlags(['--model=b'], spec)).toMatchObject({ model: 'b' });
    expect(parseFlags(['--model', 'a', '--help'], spec)).toBeNull();
    expect(parseFlags(['-h'], spec)).toBeNull();
  });
  it('usage errors name the flag', () => {
    expect(() => parseFlags(['--modle', 'a'], spec)).toThrow(new UsageError('unknown flag --modle'));
    expect(() => parseFlags(['--model'], spec)).toThrow(new UsageError('flag --model needs a value'));
    expect(() => parseFlags(['--quick=yes'], spec)).toThrow(new UsageError('flag --quick takes no value'));
    expect(() => parseFlags(['stray'], spec)).toThrow(/unexpected argument "stray"/);
  });
});

describe('value helpers', () => {
  it('check types and ranges', () => {
    expect(optInt({ n: '3' }, 'n')).toBe(3);
    expect(optInt({}, 'n')).toBeUndefined();
    expect(() => optInt({ n: '2.5' }, 'n')).toThrow('flag --n needs an integer >= 0, got "2.5"');
    expect(() => optInt({ n: '0' }, 'n', { min: 1 })).toThrow('>= 1');
    expect(optFloat({ lr: '1e-5' }, 'lr', { positive: true })).toBe(1e-5);
    expect(() => optFloat({ lr: '0' }, 'lr', { positive: true })).toThrow('--lr');
    expect(() => optFloat({ lr: 'abc' }, 'lr')).toThrow('--lr');
    expect(optChoice({ m: 'soft' }, 'm', ['hard', 'soft'] as const, 'hard')).toBe('soft');
    expect(() => optChoice({ m: 'x' }, 'm', ['hard', 'soft'] as const)).toThrow('flag --m must be one of hard, soft, got "x"');
    expect(optIntList({ k: '1,2, 4' }, 'k')).toEqual([1, 2, 4]);
    expect(() => optIntList({ k: '1,two' }, 'k')).toThrow('--k');
    expect(() => requireString({}, 'data')).toThrow('missing required flag --data');
  });
  it('parseModelList and guessFormat', () => {
    expect(parseModelList('base=/m/a, soft=/runs/s/checkpoints/step-000010')).toEqual([
      { name: 'base', dir: '/m/a' },
      { name: 'soft', dir: '/runs/s/checkpoints/step-000010' },
    ]);
    expect(parseModelList('/models/qwen')).toEqual([{ name: 'qwen', dir: '/models/qwen' }]);
    expect(() => parseModelList(',')).toThrow(UsageError);
    expect(guessFormat('../shared/datasets/gsm8k/train.jsonl')).toBe('gsm8k');
    expect(guessFormat('data/MATH-500.jsonl')).toBe('math');
    expect(guessFormat('data/deepscaler.parquet')).toBe('deepscaler');
    expect(guessFormat('data/x.jsonl')).toBe('generic');
  });
});
