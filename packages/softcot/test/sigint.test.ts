// Ctrl-C during `softcot train`: the process finishes its step, writes a checkpoint, exits 130; a second run
// resumes from that checkpoint. A real child process and a real SIGINT.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cliArgs = ['--import', 'tsx', path.join(repo, 'packages/softcot/src/cli.ts')];

function runSync(args: string[]) {
  return spawnSync(process.execPath, [...cliArgs, ...args], { cwd: repo, encoding: 'utf8', timeout: 240_000 });
}

describe('softcot train and SIGINT', () => {
  it('saves a checkpoint on Ctrl-C and resumes from it', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'softcot-sigint-'));
    const model = path.join(tmp, 'model');
    const out = path.join(tmp, 'run');
    const data = path.join(tmp, 'data.jsonl');
    fs.writeFileSync(data, ['1+2', '3+4', '5+1'].map((q) => JSON.stringify({ question: q, answer: `${q}=${eval(q)}\n#### ${eval(q)}` })).join('\n') + '\n');
    const init = runSync(['init', '--preset', 'tiny-llama', '--out', model, '--backend', 'cpu']);
    expect(init.status, init.stderr).toBe(0);

    const trainArgs = ['train', '--model', model, '--data', data, '--format', 'gsm8k', '--out', out, '--mode', 'soft', '--prompts-per-step', '1',
      '--samples', '2', '--micro-batch', '2', '--max-cot', '4', '--max-answer', '2', '--lr', '1e-4', '--save-every', '1000', '--backend', 'cpu'];
    const child = spawn(process.execPath, [...cliArgs, ...trainArgs, '--steps', '1000'], { cwd: repo });
    let text = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      const onData = (b: Buffer) => {
        text += b.toString();
        if (/step 1\/1000/.test(text)) resolve();
      };
      child.on('exit', () => resolve()); // a crash before step 1 fails below, not by timeout
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
    });
    child.kill('SIGINT');
    const code = await exited;
    expect(code, text).toBe(130);
    expect(text).toMatch(/interrupt/);
    const latest = fs.readlinkSync(path.join(out, 'checkpoints', 'latest'));
    const state = JSON.parse(fs.readFileSync(path.join(out, 'checkpoints', latest, 'trainer_state.json'), 'utf8'));
    expect(state.step).toBeGreaterThanOrEqual(1);
    const metricsLines = fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').length;
    expect(metricsLines).toBe(state.step);

    const resumed = runSync([...trainArgs, '--steps', String(state.step + 1)]);
    expect(resumed.status, resumed.stderr + resumed.stdout).toBe(0);
    expect(resumed.stdout + resumed.stderr).toMatch(new RegExp(`resumed from .*${latest} at step ${state.step}`));
    expect(fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').length).toBe(state.step + 1);
    fs.rmSync(tmp, { recursive: true, force: true });
  }, 300_000);
});
