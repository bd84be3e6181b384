// softcot on native-cpu against PyTorch on the CPU, in the same run, on the same random-weight checkpoint of the
// Qwen2.5-0.5B shape (494 M parameters, fp32 compute on both sides).
//
//   npx tsx benchmarks/native-vs-torch.ts [--dir DIR] [--rounds 5] [--threads N] [--tasks fwd16,decode,train]
//        [--rows 64] [--context 64] [--batch 8] [--tokens 128] [--profile] [--json FILE] [--python /usr/bin/python3]
//
// 1. `softcot init --preset qwen2.5-0.5b` writes the checkpoint into --dir (default: a temp folder; reused if present).
// 2. A PyTorch worker (benchmarks/torch_qwen2.py: the same Qwen2 in plain torch ops, reading the same safetensors)
//    runs beside this process; both load the checkpoint and stay resident.
// 3. Each task is warmed up on both sides, then timed in alternation (torch, native, native, torch, ...), with a
//    pause between contenders so neither side's spinning BLAS threads run into the other's timing:
//      fwd16   one forward over 16 tokens with logits at every position
//      decode  one KV-cached decode step of --rows rows (the RL rollout shape) after a --context-token prefill;
//              each round is one step on each side, so both see the same cache lengths
//      train   forward + next-token cross-entropy + backward over --batch x --tokens tokens (gradients of every
//              parameter; no optimizer step)
// 4. Prints medians and the throughput ratio torch time / native time (> 1: native-cpu is faster), and with
//    --profile the kernels each side spends its time in.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { KVCache, loadModel, useBackend, type CausalLM } from '@softcot/model';
import { describeNative, isNativeAvailable } from '@softcot/backend-native';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The deterministic token ids both sides use (torch_qwen2.py: ids()). */
function ids(rows: number, length: number, offset = 0): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from({ length }, (_, i) => (i * 7919 + 13 + 101 * r + offset) % 50000));
}

class TorchWorker {
  private proc: ChildProcessWithoutNullStreams;
  private lines: AsyncIterator<string>;
  constructor(python: string) {
    this.proc = spawn(python, [path.join(here, 'torch_qwen2.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', (d) => process.stderr.write(`[torch] ${d}`));
    this.lines = readline.createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }
  async call(cmd: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.proc.stdin.write(JSON.stringify(cmd) + '\n');
    const next = await this.lines.next();
    if (next.done) throw new Error(`the PyTorch worker exited (command ${cmd.op})`);
    const out = JSON.parse(next.value) as Record<string, unknown>;
    if (out.error) throw new Error(`PyTorch worker: ${out.error}`);
    return out;
  }
  close(): void {
    this.proc.stdin.end();
  }
}

class NativeSide {
  private cache: KVCache | null = null;
  private rows = 0;
  constructor(readonly model: CausalLM) {}

  fwd16(): number {
    const t = performance.now();
    const logits = tf.tidy(() => this.model.forward({ inputIds: tf.tensor2d(ids(1, 16), [1, 16], 'int32') }).logits!);
    tf.tidy(() => logits.slice([0, 15, 0], [1, 1, 1])).dataSync();
    const s = (performance.now() - t) / 1000;
    logits.dispose();
    return s;
  }
  decodeReset(rows: number, context: number): number {
    this.cache?.dispose();
    this.cache = new KVCache(this.model.config.numLayers);
    this.rows = rows;
    const t = performance.now();
    tf.tidy(() => this.model.forward({ inputIds: tf.tensor2d(ids(rows, context), [rows, context], 'int32'), cache: this.cache!, logits: 'last' }).logits!.dataSync());
    return (performance.now() - t) / 1000;
  }
  decode(): number {
    const past = this.cache!.length;
    const t = performance.now();
    const next = tf.tidy(() => {
      const logits = this.model.forward({ inputIds: tf.tensor2d(ids(this.rows, 1, past), [this.rows, 1], 'int32'), cache: this.cache!, logits: 'last' }).logits!;
      return tf.argMax(logits.reshape([this.rows, -1]), -1);
    });
    next.dataSync();
    next.dispose();
    return (performance.now() - t) / 1000;
  }
  /** forward + mean next-token cross-entropy + backward for every parameter (what F.cross_entropy + backward do). */
  train(batch: number, tokens: number): { seconds: number; loss: number } {
    const x = ids(batch, tokens);
    const V = this.model.config.vocabSize;
    const target = Int32Array.from(x.flatMap((row) => row.slice(1)).map((tok, i) => i * V + tok));
    const t = performance.now();
    const { value, grads } = tf.variableGrads(() => {
      const logits = this.model.forward({ inputIds: tf.tensor2d(x, [batch, tokens], 'int32') }).logits!;
      const flat = logits.slice([0, 0, 0], [batch, tokens - 1, V]).reshape([-1, V]);
      const picked = tf.gather(tf.logSoftmax(flat).reshape([-1]), tf.tensor1d(target, 'int32'));
      return tf.neg(tf.mean(picked)) as tf.Scalar;
    }, this.model.trainableVariables);
    const loss = value.dataSync()[0]!;
    const seconds = (performance.now() - t) / 1000;
    tf.dispose([value, ...Object.values(grads)]);
    return { seconds, loss };
  }
}

const median = (xs: number[]): number => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seconds per kernel name for f on native-cpu (tf.profile; each kernel is timed with a device sync). */
async function nativeProfile(f: () => void): Promise<string> {
  const info = await tf.profile(f);
  const by = new Map<string, { ms: number; n: number }>();
  for (const k of info.kernels) {
    if (k.name.endsWith('__op')) continue;
    const e = by.get(k.name) ?? { ms: 0, n: 0 };
    e.ms += Number(await k.kernelTimeMs) || 0;
    e.n++;
    by.set(k.name, e);
  }
  const total = [...by.values()].reduce((a, e) => a + e.ms, 0);
  const rows = [...by.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12);
  return rows.map(([name, e]) => `  ${name.padEnd(20)} ${e.ms.toFixed(0).padStart(7)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)}%  ${String(e.n).padStart(5)} calls`).join('\n') +
    `\n  ${'(all kernels)'.padEnd(20)} ${total.toFixed(0).padStart(7)} ms`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' }, rounds: { type: 'string', default: '5' }, threads: { type: 'string' },
      tasks: { type: 'string', default: 'fwd16,decode,train' }, rows: { type: 'string', default: '64' },
      context: { type: 'string', default: '64' }, batch: { type: 'string', default: '8' }, tokens: { type: 'string', default: '128' },
      profile: { type: 'boolean', default: false }, json: { type: 'string' }, python: { type: 'string', default: '/usr/bin/python3' },
    },
  });
  const rounds = Number(values.rounds), rows = Number(values.rows), context = Number(values.context);
  const batch = Number(values.batch), tokens = Number(values.tokens);
  const threads = Number(values.threads ?? os.availableParallelism());
  const tasks = values.tasks!.split(',');
  process.env.SOFTCOT_NUM_THREADS = String(threads);

  const dir = values.dir ?? path.join(os.tmpdir(), 'softcot-bench-qwen2.5-0.5b');
  if (!fs.existsSync(path.join(dir, 'config.json'))) {
    const { runCli } = await import('../packages/softcot/src/commands/index');
    console.log(`writing a random-weight qwen2.5-0.5b checkpoint to ${dir}`);
    const code = await runCli(['init', '--preset', 'qwen2.5-0.5b', '--out', dir, '--backend', 'native-cpu']);
    if (code !== 0) process.exit(code);
  }

  const av = isNativeAvailable('cpu', { threads });
  if (!av.ok) throw new Error(av.reason);
  const torch = new TorchWorker(values.python!);
  const tinfo = await torch.call({ op: 'load', dir, threads });
  await useBackend('native-cpu');
  let t = performance.now();
  const native = new NativeSide(loadModel(dir));
  const nativeLoad = (performance.now() - t) / 1000;
  console.log(`machine: ${os.cpus()[0]?.model ?? '?'}, ${os.availableParallelism()} cpus, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(describeNative(av));
  console.log(`torch ${tinfo.torch}: ${tinfo.threads} threads, BLAS ${tinfo.blas}; OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? '(auto)'}`);
  console.log(`checkpoint ${dir}: ${(Number(tinfo.params) / 1e6).toFixed(1)} M parameters; load native ${nativeLoad.toFixed(1)} s, torch ${Number(tinfo.seconds).toFixed(1)} s`);

  const results: Record<string, { native: number[]; torch: number[]; extra?: string }> = {};
  const contend = async (name: string, n: () => number, tc: () => Promise<number>, warm = 1) => {
    for (let i = 0; i < warm; i++) { await tc(); await pause(300); n(); await pause(300); }
    const r = { native: [] as number[], torch: [] as number[] };
    for (let i = 0; i < rounds; i++) {
      // alternate which side goes first, so a slow phase of the shared machine hits both
      if (i % 2 === 0) { r.torch.push(await tc()); await pause(300); r.native.push(n()); }
      else { r.native.push(n()); await pause(300); r.torch.push(await tc()); }
      await pause(300);
      process.stderr.write(`${name} round ${i + 1}/${rounds}: native ${r.native.at(-1)!.toFixed(3)} s, torch ${r.torch.at(-1)!.toFixed(3)} s\n`);
    }
    results[name] = r;
  };
  const torchSeconds = async (cmd: Record<string, unknown>) => Number((await torch.call(cmd)).seconds);

  if (tasks.includes('fwd16')) await contend('forward 16 tokens, all logits', () => native.fwd16(), () => torchSeconds({ op: 'fwd16' }));
  if (tasks.includes('decode')) {
    await torch.call({ op: 'decode_reset', rows, context });
    native.decodeReset(rows, context);
    await contend(`decode step, ${rows} rows, KV cache (${context}+ tokens)`, () => native.decode(), () => torchSeconds({ op: 'decode' }));
  }
  let losses = '';
  if (tasks.includes('train')) {
    let nl = 0, tl = 0;
    await contend(`train step fwd+bwd, ${batch}x${tokens} tokens`, () => { const r = native.train(batch, tokens); nl = r.loss; return r.seconds; },
      async () => { const r = await torch.call({ op: 'train', batch, tokens }); tl = Number(r.loss); return Number(r.seconds); });
    losses = `train loss: native ${nl.toFixed(5)}, torch ${tl.toFixed(5)} (the same checkpoint and tokens)`;
  }

  console.log(`\n| task | native-cpu (median s) | PyTorch (median s) | throughput native / torch |`);
  console.log(`|---|---|---|---|`);
  for (const [name, r] of Object.entries(results)) {
    const n = median(r.native), tt = median(r.torch);
    console.log(`| ${name} | ${n.toFixed(3)} | ${tt.toFixed(3)} | **${(tt / n).toFixed(2)}x** |`);
  }
  if (losses) console.log(losses);

  if (values.profile) {
    for (const task of tasks) {
      console.log(`\nprofile: ${task}`);
      if (task === 'fwd16') console.log(await nativeProfile(() => { native.fwd16(); }));
      if (task === 'decode') console.log(await nativeProfile(() => { native.decode(); }));
      if (task === 'train') console.log(await nativeProfile(() => { native.train(batch, tokens); }));
      console.log(String((await torch.call({ op: 'profile', what: task, batch, tokens })).table));
    }
  }
  if (values.json) fs.writeFileSync(values.json, JSON.stringify({ when: new Date().toISOString(), threads, rounds, results, torch: tinfo, native: describeNative(av) }, null, 2) + '\n');
  torch.close();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
