// The README's main job at reduced size: pretrain, RL in soft and hard mode, evaluate. Checks that the
// pipeline runs end to end, writes its outputs, and that the soft-mode training reward goes up.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runDemo, rewardTrend } from '../src/demo';

describe('demo --quick', () => {
  it('runs end to end and the soft-mode reward rises', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'softcot-demo-'));
    const lines: string[] = [];
    const r = await runDemo({ outDir: out, quick: true, log: (l) => lines.push(l) });
    for (const f of ['results.md', 'summary.json', 'reward-curve.svg', 'base/config.json', 'base/model.safetensors', 'base/tokenizer.json', 'rl-soft/metrics.jsonl', 'rl-hard/metrics.jsonl'])
      expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    expect(r.base.map((s) => s.setting)).toEqual(['hard greedy', 'hard sample', 'soft greedy', 'soft sample', 'fuzzy greedy', 'fuzzy sample']);
    // The pretrained base solves some problems but not all: RL has something to work with.
    const baseGreedy = r.base[0]!.pass1;
    expect(baseGreedy).toBeGreaterThan(0);
    const soft = rewardTrend(r.rewardCurves.soft);
    console.log(`demo --quick: ${r.seconds.toFixed(0)} s; base hard-greedy pass@1 ${baseGreedy}; soft reward ${soft.first.toFixed(2)} -> ${soft.last.toFixed(2)}`);
    expect(soft.last).toBeGreaterThan(soft.first);
    expect(r.rewardCurves.soft.every((m) => m.skipped === null)).toBe(true);
    fs.rmSync(out, { recursive: true, force: true });
  }, 900_000);
});
