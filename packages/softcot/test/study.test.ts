// The study at its tiny scale (what CI runs): every piece is produced, results aggregate over modes and seeds, a
// second run resumes from disk instead of recomputing, worker processes give the same results as one process, and
// bad configs name the field. It checks the code, not the findings (those need the small scale; docs/results.md).
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COT_MODES } from '@softcot/mixer';
import { ALL_SETTINGS } from '@softcot/eval';
import { experimentRuns, resolveExperimentConfig, runExperiment, scaledGamma, type ExperimentResult } from '../src/experiment';
import { runCli } from '../src/commands/index';

const settingNames = ALL_SETTINGS.map((s) => `${s.mode} ${s.greedy ? 'greedy' : 'sample'}`);

describe('study --scale tiny', () => {
  it('pretrains, trains every mode and seed (and the γ·√(d/3072) runs), evaluates, reports; a rerun resumes', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'softcot-study-'));
    const config = resolveExperimentConfig('study-tiny', { seeds: [0, 1] });
    const r = await runExperiment({ config, outDir: out, log: () => {} });
    const perSeed = [...COT_MODES.map((m) => `${m}-seed`), 'soft-small-gamma-seed', 'fuzzy-small-gamma-seed'];
    expect(r.runs.map((x) => x.spec.name)).toEqual([...perSeed.map((n) => `${n}0`), ...perSeed.map((n) => `${n}1`)]);
    expect(r.runs.find((x) => x.spec.name === 'soft-small-gamma-seed0')!.spec.noiseGamma).toBeCloseTo(0.33 * Math.sqrt(16 / 3072), 12);
    expect(scaledGamma(config)).toBeCloseTo(0.33 * Math.sqrt(16 / 3072), 12);
    for (const e of [r.base, ...r.runs.map((x) => x.final)]) {
      expect(e.summaries.map((s) => s.setting)).toEqual(settingNames);
      expect(Number.isFinite(e.ood!.answerNll)).toBe(true);
      for (const s of e.summaries.filter((x) => !x.greedy)) expect(Object.keys(s.majAtK).map(Number)).toEqual(config.eval.ks);
    }
    for (const run of r.runs) expect(run.metrics.length).toBe(config.rl.steps);
    for (const f of ['results.md', 'summary.json', 'config.json', 'base/model.safetensors', 'base/tokenizer.json', 'img/entropy.svg', 'img/reward.svg', 'img/passk-gumbel-inference.svg', 'runs/multiplex-seed1/metrics.jsonl'])
      expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    const md = fs.readFileSync(path.join(out, 'results.md'), 'utf8');
    expect(md).toContain('## Base profile');
    expect(md).toMatch(/Verdict: \*\*(fit|not fit) for comparing training modes/);
    expect(md).toContain('| training \\ inference | hard | soft | fuzzy | gumbel | multiplex |');
    expect(md).toMatch(/\| fuzzy, γ·√\(d\/3072\) \| [\d.]+ ± [\d.]+ \|/);
    expect(md).toContain('maj@2 (%)');

    // Rerun: nothing is retrained (no RL or SFT lines), the evaluations are read back unchanged.
    const again: string[] = [];
    const r2 = await runExperiment({ config, outDir: out, log: (l) => again.push(l) });
    expect(again.some((l) => l.includes('RLOO') || l.includes('supervised steps'))).toBe(false);
    expect(r2.runs.map((x) => x.final.summaries)).toEqual(r.runs.map((x) => x.final.summaries));

    // Other settings never reuse these pieces; a fresh start redoes the study and removes only its own outputs.
    await expect(runExperiment({ config: resolveExperimentConfig('study-tiny', { seeds: [0, 1], rl: { lr: 1e-3 } }), outDir: out, log: () => {} })).rejects.toThrow(/holds an experiment with other settings/);
    fs.writeFileSync(path.join(out, 'notes.txt'), 'mine');
    await runExperiment({ config: resolveExperimentConfig('study-tiny', { seeds: [1], modes: ['hard'] }), outDir: out, resume: false, log: () => {} });
    expect(fs.readFileSync(path.join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(fs.existsSync(path.join(out, 'runs', 'hard-seed0'))).toBe(false);
    expect(fs.existsSync(path.join(out, 'eval', 'hard-seed1.json'))).toBe(true);
    fs.rmSync(out, { recursive: true, force: true });
  }, 600_000);

  it('runs in worker processes give the same results as in one process', async () => {
    const config = resolveExperimentConfig('study-tiny', { modes: ['hard', 'gumbel'], gammaSensitivity: false });
    const results: ExperimentResult[] = [];
    for (const workers of [1, 2]) {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), `softcot-workers-${workers}-`));
      results.push(await runExperiment({ config, outDir: out, workers, log: () => {} }));
      fs.rmSync(out, { recursive: true, force: true });
    }
    const strip = (r: ExperimentResult) => r.runs.map((x) => ({ summaries: x.final.summaries, rewards: x.metrics.map((m) => m.rewardMean), loss: x.metrics.map((m) => m.loss) }));
    expect(strip(results[1]!)).toEqual(strip(results[0]!));
  }, 600_000);

  it('rejects bad configs, naming the field', () => {
    expect(() => resolveExperimentConfig('study-small', { rl: { stepz: 3 } }, 'my.json')).toThrow(/my\.json: unknown field "rl\.stepz"/);
    expect(() => resolveExperimentConfig('study-small', { rl: { steps: 'many' } }, 'my.json')).toThrow(/"rl\.steps" must be a number/);
    expect(() => resolveExperimentConfig('study-small', { rl: { steps: 0 } })).toThrow(/"rl\.steps" must be an integer in \[1, /);
    expect(() => resolveExperimentConfig('study-small', { modes: ['hard', 'warm'] })).toThrow(/"modes"/);
    expect(() => resolveExperimentConfig('study-small', { modes: ['hard', 'hard'] })).toThrow(/"modes" must be distinct/);
    expect(() => resolveExperimentConfig('study-small', { eval: { ks: [64] } })).toThrow(/"eval\.ks"/);
    expect(() => resolveExperimentConfig('study-small', { sft: { mixture: { share: 2 } } })).toThrow(/"sft\.mixture\.share" must be in \[0, 1\]/);
    expect(() => resolveExperimentConfig('huge' as 'study-small')).toThrow(/unknown preset "huge"/);
    expect(resolveExperimentConfig('study-small', { rl: { steps: 7 } }).rl).toMatchObject({ steps: 7, lr: resolveExperimentConfig('study-small').rl.lr });
    expect(experimentRuns(resolveExperimentConfig('study-small')).length).toBe(3 * (5 + 2));
  });

  it('softcot study: bad flags and config files get exit codes and name what is wrong', async () => {
    const run = async (...argv: string[]) => {
      const out: string[] = [];
      const code = await runCli(['study', ...argv], { stdout: (l) => out.push(l), stderr: (l) => out.push(l), status: () => {} });
      return { code, text: out.join('\n') };
    };
    expect(await run('--scale', 'huge')).toMatchObject({ code: 2, text: expect.stringContaining('--scale must be one of') });
    expect(await run('--seeds', '0,x')).toMatchObject({ code: 2, text: expect.stringContaining('--seeds') });
    expect(await run('--config', '/nonexistent/study.json')).toMatchObject({ code: 1, text: expect.stringContaining('/nonexistent/study.json: config file not found') });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'softcot-study-cfg-'));
    fs.writeFileSync(path.join(dir, 'bad.json'), '{"rl": {');
    expect(await run('--config', path.join(dir, 'bad.json'))).toMatchObject({ code: 1, text: expect.stringContaining('bad.json: invalid JSON') });
    fs.writeFileSync(path.join(dir, 'typo.json'), '{"rl": {"lrr": 1}}');
    expect(await run('--config', path.join(dir, 'typo.json'))).toMatchObject({ code: 1, text: expect.stringContaining('typo.json: unknown field "rl.lrr"') });
    expect(await run('--run', 'hard-seed0', '--out', dir)).toMatchObject({ code: 1, text: expect.stringContaining("config.json: experiment's config not found") });
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
