// Forward / decode benchmark of a random-weight checkpoint of a real architecture (what `softcot forward` does).
//
//   npx tsx benchmarks/forward.ts --preset qwen2.5-0.5b --backend wasm --tokens 16 [--decode 8] [--dir DIR] [--keep]
//        [--dtype bfloat16|float32] [--json FILE] [--no-explicit-transpose]
//
// 1. `softcot init --preset P` writes a random-weight checkpoint into a temp folder (or --dir; reused if present).
// 2. A child process (under /usr/bin/time -v when available, for the true peak RSS) loads it and times:
//    load, one forward over --tokens tokens with logits at every position (cold, then warm), and --decode
//    KV-cached greedy decode steps after a prefill. RSS is also sampled in-process at each phase boundary.
// 3. Prints a table (and --json FILE writes the figures).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);

interface ChildResult {
  backend: string;
  params: number;
  loadSeconds: number;
  forwardColdSeconds: number;
  forwardWarmSeconds: number;
  prefillSeconds: number;
  decodeSeconds: number[];
  rssMiB: Record<string, number>;
  peakRssSampledMiB: number;
}

async function child(dir: string, backend: string, tokens: number, decode: number, noExplicitTranspose: boolean): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  const { loadModel, useBackend, greedyGenerate, setExplicitTranspose } = await import('@softcot/model');
  const rss: Record<string, number> = {};
  let peak = 0;
  const sample = (label?: string) => {
    const r = process.memoryUsage().rss / 2 ** 20;
    peak = Math.max(peak, r);
    if (label) rss[label] = Math.round(r);
  };
  const timer = setInterval(() => sample(), 20);
  sample('start');
  await useBackend(backend as 'cpu' | 'wasm');
  // useBackend('wasm') turns on materialised transposes of the weights in every product (see model/src/matmul.ts).
  if (noExplicitTranspose) setExplicitTranspose(false);
  let t = performance.now();
  const model = loadModel(dir);
  const loadSeconds = (performance.now() - t) / 1000;
  sample('after load');
  const V = model.config.vocabSize;
  const ids = [Array.from({ length: tokens }, (_, i) => (i * 7919 + 13) % Math.min(V, 50000))];
  const fwd = () => {
    const t0 = performance.now();
    const logits = tf.tidy(() => model.forward({ inputIds: tf.tensor2d(ids, [1, tokens], 'int32') }).logits!);
    logits.dataSync();
    logits.dispose();
    return (performance.now() - t0) / 1000;
  };
  const forwardColdSeconds = fwd();
  sample('after forward');
  const forwardWarmSeconds = fwd();
  // Prefill with the cache, then `decode` one-token steps (greedy), each timed: step 0 is the prefill.
  const stepEnds: number[] = [];
  t = performance.now();
  greedyGenerate(model, ids, decode + 1, { onStep: () => stepEnds.push(performance.now()) });
  const prefillSeconds = (stepEnds[0]! - t) / 1000;
  const decodeSeconds = stepEnds.slice(1).map((end, s) => (end - stepEnds[s]!) / 1000);
  sample('after decode');
  const params = [...model.params.values()].reduce((a, p) => a + p.size, 0);
  clearInterval(timer);
  const out: ChildResult = { backend, params, loadSeconds, forwardColdSeconds, forwardWarmSeconds, prefillSeconds, decodeSeconds, rssMiB: rss, peakRssSampledMiB: Math.round(peak) };
  process.stdout.write(`@@RESULT ${JSON.stringify(out)}\n`);
  model.dispose();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      preset: { type: 'string', default: 'qwen2.5-0.5b' },
      backend: { type: 'string', default: 'wasm' },
      tokens: { type: 'string', default: '16' },
      decode: { type: 'string', default: '8' },
      dir: { type: 'string' },
      keep: { type: 'boolean', default: false },
      dtype: { type: 'string', default: 'bfloat16' },
      json: { type: 'string' },
      child: { type: 'boolean', default: false },
      'no-explicit-transpose': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const tokens = Number(values.tokens);
  const decode = Number(values.decode);
  const noT = values['no-explicit-transpose']!;
  if (values.child) return child(values.dir!, values.backend!, tokens, decode, noT);

  const dir = values.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), `softcot-bench-${values.preset}-`));
  let initSeconds: number | null = null;
  if (!fs.existsSync(path.join(dir, 'config.json'))) {
    const { runCli } = await import('../packages/softcot/src/commands/index');
    const t = performance.now();
    const code = await runCli(['init', '--preset', values.preset!, '--out', dir, '--dtype', values.dtype!, '--backend', 'cpu']);
    if (code !== 0) process.exit(code);
    initSeconds = (performance.now() - t) / 1000;
  }
  const bytes = fs.readdirSync(dir).filter((f) => f.endsWith('.safetensors')).reduce((a, f) => a + fs.statSync(path.join(dir, f)).size, 0);

  const tsxArgs = ['tsx', here, '--child', '--dir', dir, '--backend', values.backend!, '--tokens', String(tokens), '--decode', String(decode), ...(noT ? ['--no-explicit-transpose'] : [])];
  const haveTime = fs.existsSync('/usr/bin/time');
  const wall0 = performance.now();
  const r = haveTime
    ? spawnSync('/usr/bin/time', ['-v', 'npx', ...tsxArgs], { encoding: 'utf8', maxBuffer: 1 << 26 })
    : spawnSync('npx', tsxArgs, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const childWall = (performance.now() - wall0) / 1000;
  const line = r.stdout.split('\n').find((l) => l.startsWith('@@RESULT '));
  if (r.status !== 0 || !line) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`benchmark child failed (exit ${r.status})`);
  }
  const res = JSON.parse(line.slice('@@RESULT '.length)) as ChildResult;
  const maxRss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? '');
  const peakTimeMiB = maxRss ? Math.round(Number(maxRss[1]) / 1024) : null;
  const decodeMean = res.decodeSeconds.reduce((a, b) => a + b, 0) / Math.max(1, res.decodeSeconds.length);
  const rows: [string, string][] = [
    ['preset', values.preset!],
    ['backend', `${res.backend}${noT ? ' (explicit transposes off)' : ''}`],
    ['parameters', `${(res.params / 1e6).toFixed(1)} M`],
    ['checkpoint on disk', `${(bytes / 2 ** 20).toFixed(0)} MiB (${values.dtype})`],
    ...(initSeconds !== null ? [['init + save (random weights)', `${initSeconds.toFixed(1)} s`] as [string, string]] : []),
    ['load (safetensors -> fp32 tensors)', `${res.loadSeconds.toFixed(2)} s`],
    [`forward ${tokens} tokens, all logits (cold)`, `${res.forwardColdSeconds.toFixed(2)} s`],
    [`forward ${tokens} tokens, all logits (warm)`, `${res.forwardWarmSeconds.toFixed(2)} s`],
    [`prefill ${tokens} tokens with KV cache`, `${res.prefillSeconds.toFixed(2)} s`],
    [`decode ${decode} steps, KV cache (mean)`, `${(decodeMean * 1000).toFixed(0)} ms/token (${(1 / decodeMean).toFixed(2)} tok/s)`],
    ['RSS after load / forward / decode', `${res.rssMiB['after load']} / ${res.rssMiB['after forward']} / ${res.rssMiB['after decode']} MiB`],
    ['peak RSS (sampled in-process)', `${res.peakRssSampledMiB} MiB`],
    ['peak RSS (/usr/bin/time -v)', peakTimeMiB !== null ? `${peakTimeMiB} MiB` : 'n/a'],
    ['child wall time (incl. tsx start)', `${childWall.toFixed(1)} s`],
  ];
  const w = Math.max(...rows.map((x) => x[0].length));
  console.log(`| ${'measure'.padEnd(w)} | value |\n|${'-'.repeat(w + 2)}|-------|`);
  for (const [k, v] of rows) console.log(`| ${k.padEnd(w)} | ${v} |`);
  if (values.json) fs.writeFileSync(values.json, JSON.stringify({ preset: values.preset, tokens, decode, initSeconds, bytes, peakTimeMiB, childWall, ...res }, null, 2) + '\n');
  if (!values.keep && !values.dir) fs.rmSync(dir, { recursive: true, force: true });
  else console.log(`checkpoint kept in ${dir}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
