// Faults during training leave nothing behind and lose nothing: a full disk during a checkpoint, what a killed
// process leaves, a cut-off metrics line, a second writer, an update that would make the weights non-finite.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LOCK_FILE } from '@softcot/base';
import { paperPrompt, type Example } from '@softcot/data';
import { RLOOTrainer, latestCheckpoint, readMetrics, type RLOOConfig, type StepMetrics } from '@softcot/trainer';
import { fillDiskAfter } from '../../../test-support/fault-injection';
import { tinyModel, tinyTokenizer } from './helpers';

tf.setBackend('cpu');

const dataset: Example[] = ['1+2', '3+4', '5-2', '2*3'].map((q, i) => ({ id: `q${i}`, question: q, answer: String(eval(q)), row: {} }));

function config(outputDir: string, overrides: Partial<RLOOConfig> = {}): RLOOConfig {
  const tokenizer = tinyTokenizer();
  return {
    model: tinyModel(tokenizer.vocabSize, 4),
    tokenizer,
    format: paperPrompt({ instruction: '' }),
    cot: { mode: 'soft', maxTokens: 4 },
    reward: ({ completion }) => (completion.match(/1/g) ?? []).length,
    promptsPerStep: 2,
    samplesPerPrompt: 2,
    microBatch: 4,
    maxAnswerTokens: 2,
    steps: 4,
    lr: 1e-3,
    warmupSteps: 1,
    outputDir,
    saveEvery: 2,
    seed: 3,
    progress: false,
    ...overrides,
  };
}

const stable = (m: StepMetrics[]) => m.map(({ tokensPerSecond, stepSeconds, rolloutSeconds, rewardSeconds, ...rest }) => rest);
const temps = (dir: string): string[] =>
  fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((n) => /\.(tmp|old)-\d+/.test(path.basename(n)));
const tmpRoot = () => fs.mkdtempSync(path.join(os.tmpdir(), 'softcot-faults-'));

let restoreDisk: (() => void) | null = null;
afterEach(() => {
  restoreDisk?.();
  restoreDisk = null;
  vi.restoreAllMocks();
});

describe('faults during training', () => {
  it('a full disk during a checkpoint: the error names the file, nothing is left, and the run resumes once there is space', async () => {
    const root = tmpRoot();
    const straight = await new RLOOTrainer(config(path.join(root, 'a'))).train(dataset);

    const out = path.join(root, 'b');
    // The disk fills up in the middle of step 4's checkpoint (step 2's is complete).
    const t = new RLOOTrainer(config(out, { onStep: (m) => void (m.step === 4 && (restoreDisk = fillDiskAfter(5000))) }));
    await expect(t.train(dataset)).rejects.toThrow(new RegExp(`${out}/checkpoints/step-000004/\\S+: cannot write: no space left on the device \\(ENOSPC\\)$`));
    restoreDisk!();
    restoreDisk = null;
    expect(temps(out)).toEqual([]);
    expect(fs.existsSync(path.join(out, LOCK_FILE))).toBe(false);
    expect(latestCheckpoint(out)).toMatch(/step-000002$/);
    // Retrying on the same disk never piles up temporary folders, and with space again the run ends as if
    // nothing had happened.
    const resumed = await new RLOOTrainer(config(out)).train(dataset);
    expect(resumed.metrics.map((m) => m.step)).toEqual([3, 4]);
    expect(stable(readMetrics(path.join(out, 'metrics.jsonl')))).toEqual(stable(straight.metrics));
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('a full disk before the first step names run.json, and while appending a metrics line names metrics.jsonl', async () => {
    const root = tmpRoot();
    restoreDisk = fillDiskAfter(0);
    await expect(new RLOOTrainer(config(root, { steps: 1 })).train(dataset)).rejects.toThrow(`${path.join(root, 'run.json')}: cannot write: no space left on the device (ENOSPC)`);
    restoreDisk();
    restoreDisk = fillDiskAfter(0, ['appendFileSync']);
    await expect(new RLOOTrainer(config(root, { steps: 1 })).train(dataset)).rejects.toThrow(`${path.join(root, 'metrics.jsonl')}: cannot append: no space left on the device (ENOSPC)`);
    expect(temps(root)).toEqual([]);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('what a killed process left (temporary checkpoint, link, files; a best model moved aside) is cleaned up at the next start', async () => {
    const root = tmpRoot();
    const validation = { every: 1, score: () => 1 };
    await new RLOOTrainer(config(root, { steps: 2, validation })).train(dataset);
    // As SIGKILL leaves them at various moments of a checkpoint, a best-model swap and a file write.
    const ck = path.join(root, 'checkpoints');
    fs.mkdirSync(path.join(ck, '.step-000003.tmp-99999'));
    fs.writeFileSync(path.join(ck, '.step-000003.tmp-99999', 'model.safetensors'), 'half a file');
    fs.symlinkSync('step-000003', path.join(ck, '.latest.tmp-99999'));
    fs.writeFileSync(path.join(root, '.run.json.tmp-99999-4'), '{"st');
    fs.renameSync(path.join(root, 'best'), path.join(root, '.best.old-99999'));
    const notes = vi.spyOn(console, 'error').mockImplementation(() => {});
    const r = await new RLOOTrainer(config(root, { steps: 3, validation, resume: 'force' })).train(dataset);
    expect(r.metrics.map((m) => m.step)).toEqual([3]);
    expect(notes.mock.calls.map((c) => c.join(' ')).join('\n')).toMatch(/removed what an interrupted run left: .*\.best\.old-99999.*checkpoints\/\.step-000003\.tmp-99999/);
    expect(temps(root)).toEqual([]);
    expect(JSON.parse(fs.readFileSync(path.join(root, 'best', 'best.json'), 'utf8'))).toEqual({ step: 0, value: 1 });
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('a cut-off last metrics line is dropped with a note on resume; a bad line before it is an error naming it', async () => {
    const root = tmpRoot();
    const straight = await new RLOOTrainer(config(path.join(root, 'a'))).train(dataset);
    const out = path.join(root, 'b');
    const t: RLOOTrainer = new RLOOTrainer(config(out, { onStep: (m) => m.step === 2 && t.requestStop() }));
    await t.train(dataset);
    const metrics = path.join(out, 'metrics.jsonl');
    const good = fs.readFileSync(metrics, 'utf8');
    fs.writeFileSync(metrics, `${good}{"step": 3, "loss": 0.1, "rewa`); // killed while appending step 3
    const notes = vi.spyOn(console, 'error').mockImplementation(() => {});
    const resumed = await new RLOOTrainer(config(out)).train(dataset);
    expect(notes.mock.calls.flat().join('\n')).toContain(`${metrics}:3: dropped a cut-off last line (the run was interrupted while writing it)`);
    expect(resumed.metrics.map((m) => m.step)).toEqual([3, 4]);
    expect(stable(readMetrics(metrics))).toEqual(stable(straight.metrics));

    const lines = fs.readFileSync(metrics, 'utf8').split('\n');
    lines[1] = '{"step": 2, "lo';
    fs.writeFileSync(metrics, lines.join('\n'));
    await expect(new RLOOTrainer(config(out, { steps: 5, resume: 'force' })).train(dataset)).rejects.toThrow(`${metrics}:2: not a JSON metrics line`);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('one writer per run folder: a second trainer is refused while the first runs; a dead holder’s lock is taken over', async () => {
    const root = tmpRoot();
    const first = new RLOOTrainer(config(root, { steps: 2 }));
    const running = first.train(dataset); // holds the lock from its first line
    await expect(new RLOOTrainer(config(root, { steps: 2 })).train(dataset)).rejects.toThrow(
      new RegExp(`${path.join(root, LOCK_FILE)}: ${root} is in use by another softcot training run \\(pid ${process.pid}, started `),
    );
    await running;
    expect(readMetrics(path.join(root, 'metrics.jsonl')).map((m) => m.step)).toEqual([1, 2]); // not interleaved
    // A holder that died without releasing (SIGKILL): its lock is stale.
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    fs.writeFileSync(path.join(root, LOCK_FILE), JSON.stringify({ pid: dead, host: os.hostname(), token: 't', started: 'earlier', what: 'softcot training run' }));
    const notes = vi.spyOn(console, 'error').mockImplementation(() => {});
    await new RLOOTrainer(config(root, { steps: 3, resume: 'force' })).train(dataset);
    expect(notes.mock.calls.flat().join('\n')).toContain(`took over the lock of pid ${dead}, which is no longer running`);
    expect(fs.existsSync(path.join(root, LOCK_FILE))).toBe(false);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('an update that would make the weights non-finite (lr 1e300) is rolled back and reported; the checkpoint stays finite', async () => {
    const root = tmpRoot();
    const t = new RLOOTrainer(config(root, { steps: 2, lr: 1e300, warmupSteps: 0 }));
    const before = [...t.config.model.params].map(([name, p]) => [name, Array.from(p.dataSync())] as const);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const r = await t.train(dataset);
    expect(r.metrics.map((m) => m.skipped)).toEqual([expect.stringMatching(/^non-finite weights after the update \(lr 1e\+300\); rolled back$/), expect.stringMatching(/rolled back/)]);
    expect(errors.mock.calls.flat().join('\n')).toMatch(/step 1: non-finite weights after the update .*; update skipped/);
    for (const [name, values] of before) expect(Array.from(t.config.model.params.get(name)!.dataSync()), name).toEqual(values);
    const state = JSON.parse(fs.readFileSync(path.join(latestCheckpoint(root)!, 'trainer_state.json'), 'utf8'));
    expect(state.optimizerStep).toBe(0); // no update was taken
    fs.rmSync(root, { recursive: true, force: true });
  });
});
