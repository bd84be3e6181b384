// Model-level checks of a native backend against tfjs-cpu: the same weights and inputs on 'cpu' and on the backend
// under test (fp32 and bf16 precision). Run by vitest on the cpu device (test/model.test.ts) and by the GPU
// harness on the cuda device (run.ts). Weights are created once on the cpu backend and copied, so both sides
// compute with identical parameters.
import * as tf from '@tensorflow/tfjs';
import { CausalLM, CharTokenizer, KVCache, greedyGenerate, initModel, makeConfigJson, parseModelConfig, type ModelConfig } from '@softcot/model';
import { globalNorm, microBatchLoss, scoredSequence } from '@softcot/trainer';
import { noiseSigma, resolveCot } from '@softcot/mixer';
import { rollout } from '@softcot/rollout';
import { paperPrompt } from '@softcot/data';

type Weights = Map<string, { shape: number[]; data: Float32Array }>;

const CONFIGS: [string, ModelConfig][] = [
  ['llama', parseModelConfig(makeConfigJson('llama', { vocabSize: 512, hiddenSize: 128, intermediateSize: 344, numLayers: 3, numHeads: 8, numKvHeads: 2, ropeScaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 64 } }))],
  ['qwen2', parseModelConfig(makeConfigJson('qwen2', { vocabSize: 512, hiddenSize: 128, intermediateSize: 344, numLayers: 3, numHeads: 4, numKvHeads: 2, tieWordEmbeddings: true }))],
  ['qwen3', parseModelConfig(makeConfigJson('qwen3', { vocabSize: 512, hiddenSize: 128, intermediateSize: 344, numLayers: 3, numHeads: 4, numKvHeads: 2, headDim: 64 }))],
];
const QWEN05 = parseModelConfig(
  makeConfigJson('qwen2', { vocabSize: 151936, hiddenSize: 896, intermediateSize: 4864, numLayers: 24, numHeads: 14, numKvHeads: 2, tieWordEmbeddings: true, ropeTheta: 1e6 }),
);

async function onCpu<T>(f: () => T): Promise<T> {
  await tf.setBackend('cpu');
  return f();
}

function randomWeights(config: ModelConfig, seed: number): Weights {
  const m = initModel(config, seed);
  // Scale up from the 0.02 init so logits are far from uniform and errors show (x4: logits of order 1–10).
  const out: Weights = new Map();
  for (const [name, v] of m.params) out.set(name, { shape: v.shape, data: (name.includes('norm') ? v : v.mul(4)).dataSync() as Float32Array });
  m.dispose();
  return out;
}

function build(config: ModelConfig, w: Weights): CausalLM {
  return new CausalLM(config, new Map([...w].map(([k, t]) => [k, tf.tensor(t.data, t.shape)])));
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { num = Math.max(num, Math.abs(a[i]! - b[i]!)); den = Math.max(den, Math.abs(b[i]!)); }
  return num / (den || 1);
}

async function logitsOn(backend: string, config: ModelConfig, w: Weights, ids: number[][]): Promise<Float32Array> {
  await tf.setBackend(backend);
  const m = build(config, w);
  const out = tf.tidy(() => m.forward({ inputIds: tf.tensor2d(ids, undefined, 'int32') }).logits!.dataSync() as Float32Array);
  m.dispose();
  return out;
}

export interface ModelCheckOptions {
  /** The backend under test with fp32 storage, and the same device with bf16 storage. */
  fp32: string;
  bf16: string;
  /** Small configurations only (no Qwen2.5-0.5B shape). */
  quick: boolean;
  /** Also time a 0.5B decode step (GPU only). */
  timing: boolean;
}

export function modelChecks(o: ModelCheckOptions): [string, () => Promise<string>][] {
  const ids = [[1, 17, 300, 42, 7, 99, 250, 3], [5, 6, 7, 8, 9, 10, 11, 12]];
  const parity = (backend: string, tol: number) => async () => {
    const parts: string[] = [];
    const configs: [string, ModelConfig][] = o.quick ? CONFIGS : [...CONFIGS, ['qwen2.5-0.5b', QWEN05]];
    for (const [name, config] of configs) {
      const w = await onCpu(() => randomWeights(config, 11));
      const input = name === 'qwen2.5-0.5b' ? [ids[0]!.slice(0, 4)] : ids;
      const want = await logitsOn('cpu', config, w, input);
      const got = await logitsOn(backend, config, w, input);
      const e = relErr(got, want);
      parts.push(`${name} ${e.toExponential(2)}`);
      if (!(e < tol)) throw new Error(`${name}: relative error ${e} >= ${tol} (${parts.join(', ')})`);
    }
    return `max|Δlogit|/max|logit|: ${parts.join(', ')} (tol ${tol})`;
  };
  return [
    ['model-fp32', parity(o.fp32, 1e-4)],
    ['model-bf16', parity(o.bf16, 2e-2)],
    ['decode', async () => {
      const parts: string[] = [];
      for (const [name, config] of CONFIGS) {
        const w = await onCpu(() => randomWeights(config, 12));
        const run = async (backend: string) => {
          await tf.setBackend(backend);
          const m = build(config, w);
          const r = greedyGenerate(m, [[1, 2, 3], [9, 8, 7, 6, 5]], 32).tokens;
          m.dispose();
          return r;
        };
        const want = await run('cpu');
        const got = await run(o.fp32);
        const same = JSON.stringify(got) === JSON.stringify(want);
        parts.push(`${name} ${same ? 'identical' : 'DIFFERENT'}`);
        if (!same) throw new Error(`${name}: ${o.fp32} ${JSON.stringify(got[0]!.slice(0, 8))}… vs cpu ${JSON.stringify(want[0]!.slice(0, 8))}…`);
      }
      return `32 greedy tokens × 2 rows: ${parts.join(', ')}`;
    }],
    ['rloo-step', async () => {
      const [, config] = CONFIGS[0]!;
      const w = await onCpu(() => randomWeights(config, 13));
      // Soft trajectories drawn once on cpu (a seeded rollout), then scored on both backends.
      const { seqs, cot } = await onCpu(() => {
        const m = build(config, w);
        const cot = resolveCot({ mode: 'soft', temperature: 0.5, sigma: noiseSigma(m.embeddingMatrix, 0.33) });
        const tok = new CharTokenizer('0123456789+-*=. :{}\\ATUabdefhilnorstwx');
        const trajectories = rollout(m, tok, ['1+2', '3+4', '5*6', '7-1'], { cot, format: paperPrompt({ instruction: '' }), maxCotTokens: 6, maxAnswerTokens: 3, answer: { greedy: false }, seed: 1 });
        const seqs = trajectories.map((t) => scoredSequence(m, cot, t, t.answerIds));
        m.dispose();
        return { seqs, cot };
      });
      const settings = { scoring: { cot, scoredTemperature: 1, padId: 0 }, scoredAreActions: true, normaliser: 4 };
      const step = async (backend: string) => {
        await tf.setBackend(backend);
        const m = build(config, w);
        const { value, grads } = tf.variableGrads(() => microBatchLoss(m, { seqs, advantages: [1.5, -0.5, -0.25, -0.75] }, settings), m.trainableVariables);
        const r = { loss: value.dataSync()[0]!, norm: globalNorm(Object.values(grads)) };
        tf.dispose([value, ...Object.values(grads)]);
        m.dispose();
        return r;
      };
      const want = await step('cpu');
      const got = await step(o.fp32);
      const el = Math.abs(got.loss - want.loss) / Math.abs(want.loss), en = Math.abs(got.norm - want.norm) / want.norm;
      if (!(el < 1e-4 && en < 1e-4)) throw new Error(`loss ${got.loss} vs ${want.loss} (${el}), grad norm ${got.norm} vs ${want.norm} (${en})`);
      return `loss ${want.loss.toFixed(4)} rel err ${el.toExponential(1)}; grad norm ${want.norm.toFixed(3)} rel err ${en.toExponential(1)}`;
    }],
    ['decode-0.5b', async () => {
      if (!o.timing) return 'SKIP: timing is for the GPU run';
      const w = await onCpu(() => randomWeights(QWEN05, 14));
      await tf.setBackend(o.bf16);
      const m = build(QWEN05, w);
      const cache = new KVCache(QWEN05.numLayers);
      const mask: number[][] = [new Array(64).fill(1)];
      tf.tidy(() => m.forward({ inputIds: tf.tensor2d([Array.from({ length: 64 }, (_, i) => i + 1)], undefined, 'int32'), attentionMask: mask, cache, logits: 'last' }).logits!.dataSync());
      const times: number[] = [];
      for (let i = 0; i < (o.quick ? 5 : 20); i++) {
        mask[0]!.push(1);
        const t0 = performance.now();
        tf.tidy(() => m.forward({ inputIds: tf.tensor2d([[7]], undefined, 'int32'), attentionMask: mask, cache, logits: 'last' }).logits!.dataSync());
        times.push(performance.now() - t0);
      }
      cache.dispose();
      m.dispose();
      const med = times.slice().sort((a, b) => a - b)[times.length >> 1]!;
      // Floor: reading 494M bf16 weights once per token at ~3 TB/s is ~0.33 ms.
      return `batch 1, 64-token context, bf16: median ${med.toFixed(2)} ms/token over ${times.length} (weight-read floor ~0.33 ms)`;
    }],
  ];
}
