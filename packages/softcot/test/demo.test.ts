// The README's main job at reduced size: pretrain, RL in soft and hard mode, evaluate. Checks that the
// pipeline runs end to end and writes its outputs, that pretraining gives a base model that solves some but
// not all problems, that RL updates are taken and that the best greedy-validation checkpoint is kept. It does
// not assert that the reward rises: at this budget it does not, reliably (docs/results.md).
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runDemo, rewardTrend } from '../src/demo';

describe('demo --quick', () => {
  it('runs end to end: base model, RL in soft and hard mode, six-setting evaluation', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'softcot-demo-'));
    const lines: string[] = [];
    const r = await runDemo({ outDir: out, quick: true, log: (l) => lines.push(l) });
    for (const f of ['results.md', 'summary.json', 'reward-curve.svg', 'base/config.json', 'base/model.safetensors', 'base/tokenizer.json', 'rl-soft/metrics.jsonl', 'rl-hard/metrics.jsonl'])
      expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    expect(r.base.map((s) => s.setting)).toEqual(['hard greedy', 'hard sample', 'soft greedy', 'soft sample', 'fuzzy greedy', 'fuzzy sample']);
    // The pretrained base solves some problems but not all: RL has something to work with.
    const baseGreedy = r.base[0]!.pass1;
    expect(baseGreedy).toBeGreaterThan(0);
    expect(baseGreedy).toBeLessThan(1);
    for (const mode of ['soft', 'hard'] as const) {
      const curve = r.rewardCurves[mode];
      const t = rewardTrend(curve);
      console.log(`demo --quick ${mode}: reward ${t.first.toFixed(1)} -> ${t.last.toFixed(1)}`);
      expect(curve.length).toBe(16);
      expect(curve.every((m) => m.skipped === null && m.rewardMean >= 0 && m.rewardMean <= 100)).toBe(true);
      // Updates happen: some steps have groups with reward spread and hence a non-zero gradient.
      expect(curve.some((m) => m.gradNorm > 0)).toBe(true);
      // Greedy validation every 8 steps; the kept checkpoint is the best of those and of the base (step 0).
      const validated = curve.filter((m) => m.validation !== undefined);
      expect(validated.map((m) => m.step)).toEqual([8, 16]);
      const best = r.best[mode];
      expect(validated.every((m) => m.validation! <= best.value)).toBe(true);
      expect([0, 8, 16]).toContain(best.step);
      expect(best.value).toBeGreaterThanOrEqual(r.baseValidation); // the base is step 0's candidate
      if (best.step === 0) expect(best.value).toBe(r.baseValidation);
      if (best.step > 0) expect(validated.find((m) => m.step === best.step)!.validation).toBe(best.value);
      expect(JSON.parse(fs.readFileSync(path.join(out, `rl-${mode}`, 'best', 'best.json'), 'utf8'))).toEqual({ step: best.step, value: best.value });
    }
    console.log(`demo --quick: ${r.seconds.toFixed(0)} s; base hard-greedy pass@1 ${baseGreedy}`);
    fs.rmSync(out, { recursive: true, force: true });
  }, 900_000);
});
