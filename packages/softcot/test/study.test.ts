// The study at its tiny scale (what CI runs): every piece is produced, results aggregate over modes and seeds,
// a second run resumes from disk instead of recomputing, and bad configs name the field. It checks the code,
// not the findings (those need the small scale; docs/results.md).
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { meanStd, resolveStudyConfig, runStudy } from '../src/study';
import { runCli } from '../src/commands/index';

describe('study --scale tiny', () => {
  it('pretrains, trains every mode and seed, evaluates, reports; a rerun resumes', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'softcot-study-'));
    const config = resolveStudyConfig('tiny', { seeds: [0, 1] });
    const lines: string[] = [];
    const r = await runStudy({ config, outDir: out, log: (l) => lines.push(l) });
    expect(r.runs.map((e) => e.name)).toEqual(['hard-seed0', 'soft-seed0', 'fuzzy-seed0', 'hard-seed1', 'soft-seed1', 'fuzzy-seed1']);
    for (const e of [r.base, ...r.runs]) {
      expect(e.summaries.map((s) => s.setting)).toEqual(['hard greedy', 'hard sample', 'soft greedy', 'soft sample', 'fuzzy greedy', 'fuzzy sample']);
      expect(Number.isFinite(e.ood.answerNll)).toBe(true);
    }
    for (const name of Object.keys(r.rewardCurves)) expect(r.rewardCurves[name]!.length).toBe(config.rl.steps);
    for (const f of ['results.md', 'summary.json', 'config.json', 'base/model.safetensors', 'base/tokenizer.json', 'img/entropy.svg', 'img/reward.svg', 'img/passk-hard-inference.svg', 'runs/soft-seed1/metrics.jsonl'])
      expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    const md = fs.readFileSync(path.join(out, 'results.md'), 'utf8');
    expect(md).toContain('| training \\ inference | hard | soft | fuzzy |');
    expect(md).toMatch(/\| fuzzy \| [\d.]+ ± [\d.]+ \|/);

    // Rerun: nothing is retrained (no RL or SFT lines), the evaluations are read back unchanged.
    const again: string[] = [];
    const r2 = await runStudy({ config, outDir: out, log: (l) => again.push(l) });
    expect(again.some((l) => l.includes('RLOO') || l.includes('supervised steps'))).toBe(false);
    expect(r2.runs.map((e) => e.summaries)).toEqual(r.runs.map((e) => e.summaries));

    // Other settings never reuse these pieces; --fresh (resume: false) redoes the study and removes only its own outputs.
    await expect(runStudy({ config: resolveStudyConfig('tiny', { seeds: [0, 1], rl: { lr: 1e-3 } }), outDir: out, log: () => {} })).rejects.toThrow(/holds a study with other settings/);
    fs.writeFileSync(path.join(out, 'notes.txt'), 'mine');
    await runStudy({ config: resolveStudyConfig('tiny', { seeds: [1] }), outDir: out, resume: false, log: () => {} });
    expect(fs.readFileSync(path.join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(fs.existsSync(path.join(out, 'runs', 'hard-seed0'))).toBe(false);
    expect(fs.existsSync(path.join(out, 'eval', 'hard-seed1.json'))).toBe(true);
    fs.rmSync(out, { recursive: true, force: true });
  }, 300_000);

  it('rejects bad configs, naming the field', () => {
    expect(() => resolveStudyConfig('small', { rl: { stepz: 3 } }, 'my.json')).toThrow(/my\.json: unknown field "rl\.stepz"/);
    expect(() => resolveStudyConfig('small', { rl: { steps: 'many' } }, 'my.json')).toThrow(/"rl\.steps" must be a number/);
    expect(() => resolveStudyConfig('small', { rl: { steps: 0 } })).toThrow(/"rl\.steps" must be a positive integer/);
    expect(() => resolveStudyConfig('small', { modes: ['hard', 'warm'] })).toThrow(/"modes"/);
    expect(() => resolveStudyConfig('small', { eval: { ks: [64] } })).toThrow(/"eval\.ks"/);
    expect(() => resolveStudyConfig('huge' as 'small')).toThrow(/unknown study scale "huge"/);
    expect(resolveStudyConfig('small', { rl: { steps: 7 } }).rl).toMatchObject({ steps: 7, lr: resolveStudyConfig('small').rl.lr });
  });

  it('softcot study: bad flags and config files get exit codes and name what is wrong', async () => {
    const run = async (...argv: string[]) => {
      const out: string[] = [];
      const code = await runCli(['study', ...argv], { stdout: (l) => out.push(l), stderr: (l) => out.push(l), status: () => {} });
      return { code, text: out.join('\n') };
    };
    expect(await run('--scale', 'huge')).toMatchObject({ code: 2, text: expect.stringContaining('--scale must be one of') });
    expect(await run('--seeds', '0,x')).toMatchObject({ code: 2, text: expect.stringContaining('--seeds') });
    expect(await run('--config', '/nonexistent/study.json')).toMatchObject({ code: 2, text: expect.stringContaining('/nonexistent/study.json does not exist') });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'softcot-study-cfg-'));
    fs.writeFileSync(path.join(dir, 'bad.json'), '{"rl": {');
    expect(await run('--config', path.join(dir, 'bad.json'))).toMatchObject({ code: 1, text: expect.stringContaining('bad.json: not valid JSON') });
    fs.writeFileSync(path.join(dir, 'typo.json'), '{"rl": {"lrr": 1}}');
    expect(await run('--config', path.join(dir, 'typo.json'))).toMatchObject({ code: 1, text: expect.stringContaining('typo.json: unknown field "rl.lrr"') });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('meanStd uses the sample standard deviation', () => {
    expect(meanStd([1, 2, 3])).toEqual({ mean: 2, std: 1, n: 3 });
    expect(meanStd([5])).toEqual({ mean: 5, std: 0, n: 1 });
  });
});
