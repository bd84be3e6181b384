// The memory plan checked against measurement, and the plans for 7B-8B models on one GPU.
//
//   npx tsx benchmarks/memory-plan.ts check          planned vs measured peak of one RLOO step, small models, cpu
//   npx tsx benchmarks/memory-plan.ts gpu [--quick]  plans for Llama-3.1-8B / Qwen3-8B / Qwen2.5-7B: fits H100/H200?
//
// check: for each configuration, planMemory (the step replayed on the shape-only backend) gives the planned peak,
// and the same step (same workload: planWorkload) runs for real on the tfjs cpu backend under a MemoryMeter
// (bytes of live tensor buffers, counted from before the model is created) for the measured peak.
// Prints a markdown table (docs/memory.md).
import * as tf from '@tensorflow/tfjs';
import { initModel, makeConfigJson, MemoryMeter, parseModelConfig, useBackend, type ModelConfig } from '@softcot/model';
import { fits, formatBytes, GPUS, planMemory, planWorkload, RLOOTrainer, type PlanOptions } from '@softcot/trainer';
import { presetConfig } from '../packages/softcot/src/commands/init';

const mib = (b: number) => (b / 2 ** 20).toFixed(2);

async function measure(o: PlanOptions): Promise<number> {
  await useBackend('cpu');
  const meter = MemoryMeter.start();
  const model = initModel(o.config, 1);
  const w = planWorkload(o);
  const trainer = new RLOOTrainer(w.trainerConfig(model));
  meter.resetPeak();
  await trainer.trainStep(w.examples);
  const peak = meter.peak;
  meter.stop();
  trainer.dispose();
  model.dispose();
  return peak;
}

async function check(): Promise<void> {
  await useBackend('cpu');
  const config: ModelConfig = parseModelConfig(
    makeConfigJson('llama', { vocabSize: 2048, hiddenSize: 128, intermediateSize: 384, numLayers: 4, numHeads: 4, numKvHeads: 2, tieWordEmbeddings: false }),
  );
  const base: PlanOptions = { config, promptsPerStep: 2, samplesPerPrompt: 4, promptTokens: 64, maxCotTokens: 32, maxAnswerTokens: 8, mode: 'soft' };
  const lora = { rank: 8 };
  const only = process.argv[3];
  const cases: Array<[string, PlanOptions]> = [
    ['full, no checkpointing, micro-batch 2', { ...base, microBatch: 2 }],
    ['full, no checkpointing, micro-batch 4', { ...base, microBatch: 4 }],
    ['full, checkpointing, micro-batch 4', { ...base, microBatch: 4, activationCheckpointing: true }],
    ['LoRA r8, no checkpointing, micro-batch 2', { ...base, microBatch: 2, lora }],
    ['LoRA r8, no checkpointing, micro-batch 4', { ...base, microBatch: 4, lora }],
    ['LoRA r8, checkpointing, micro-batch 2', { ...base, microBatch: 2, lora, activationCheckpointing: true }],
    ['LoRA r8, checkpointing, micro-batch 4', { ...base, microBatch: 4, lora, activationCheckpointing: true }],
    ['LoRA r8, checkpointing, bf16 base, 8-bit moments, micro-batch 4', { ...base, microBatch: 4, lora, activationCheckpointing: true, frozenBf16: true, optimizerMoments: 'int8' }],
    ['LoRA r8, checkpointing, hard mode, KL, micro-batch 4', { ...base, microBatch: 4, lora, activationCheckpointing: true, mode: 'hard', klBeta: 0.05 }],
    ['full, checkpointing, gumbel mode, micro-batch 4', { ...base, microBatch: 4, activationCheckpointing: true, mode: 'gumbel' }],
  ];
  console.log(`model: llama, ${config.numLayers} layers, hidden ${config.hiddenSize}, vocab ${config.vocabSize}; step: B×G = 2×4, prompt 64 + CoT 32 + answer 8 tokens`);
  console.log('| configuration | planned peak (MiB) | measured peak (MiB) | planned / measured | planned − measured (bytes) |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [name, o] of cases.filter(([n]) => !only || n.includes(only))) {
    const planned = (await planMemory(o)).peak;
    const measured = await measure(o);
    console.log(`| ${name} | ${mib(planned)} | ${mib(measured)} | ${(planned / measured).toFixed(3)} | ${planned - measured} |`);
  }
}

async function gpuPlans(quick: boolean): Promise<void> {
  await useBackend('cpu');
  const rows: Array<[string, string, PlanOptions]> = [];
  const gsm = { promptTokens: 256, maxCotTokens: 128, maxAnswerTokens: 32, mode: 'soft' as const };
  const math = { ...gsm, maxCotTokens: 512 };
  const lora = { rank: 16 };
  const ckpt = { activationCheckpointing: true };
  const add = (preset: string, label: string, o: Omit<PlanOptions, 'config'>) => rows.push([preset, label, { config: presetConfig(preset), ...o }]);
  const step = (B: number, G: number, microBatch: number) => ({ promptsPerStep: B, samplesPerPrompt: G, microBatch });
  add('llama-3.1-8b', 'LoRA r16, fp32, checkpointing, B×G 2×32, micro 8, CoT 128', { ...gsm, lora, ...ckpt, ...step(2, 32, 8) });
  if (!quick) {
    add('llama-3.1-8b', 'LoRA r16, fp32, no checkpointing, B×G 2×32, micro 8, CoT 128', { ...gsm, lora, ...step(2, 32, 8) });
    add('llama-3.1-8b', 'LoRA r16, fp32, checkpointing, B×G 2×32, micro 16, CoT 128', { ...gsm, lora, ...ckpt, ...step(2, 32, 16) });
    add('llama-3.1-8b', 'LoRA r16, fp32, checkpointing, B×G 2×16, micro 8, CoT 512', { ...math, lora, ...ckpt, ...step(2, 16, 8) });
    add('llama-3.1-8b', 'LoRA r16, bf16 tensors, checkpointing, B×G 2×32, micro 16, CoT 512', { ...math, lora, ...ckpt, floatBytes: 2, ...step(2, 32, 16) });
    add('llama-3.1-8b', 'full FT, fp32, checkpointing, B×G 2×32, micro 8, CoT 128', { ...gsm, ...ckpt, ...step(2, 32, 8) });
    add('llama-3.1-8b', 'full FT, bf16 tensors, checkpointing, B×G 2×32, micro 8, CoT 128', { ...gsm, ...ckpt, floatBytes: 2, ...step(2, 32, 8) });
    add('qwen3-8b', 'LoRA r16, fp32, checkpointing, B×G 2×32, micro 8, CoT 128', { ...gsm, lora, ...ckpt, ...step(2, 32, 8) });
    add('qwen2.5-7b', 'LoRA r16, fp32, checkpointing, B×G 2×32, micro 8, CoT 128', { ...gsm, lora, ...ckpt, ...step(2, 32, 8) });
    add('llama-3.2-3b', 'full FT, fp32, checkpointing, B×G 2×32, micro 8, CoT 128', { ...gsm, ...ckpt, ...step(2, 32, 8) });
    add('qwen2.5-3b', 'full FT, fp32, checkpointing, B×G 2×32, micro 8, CoT 128', { ...gsm, ...ckpt, ...step(2, 32, 8) });
  }
  console.log(`| model | configuration | held (weights, adapters, optimizer) | peak of a step | ${GPUS.map((g) => g.name).join(' | ')} |`);
  console.log(`|---|---|---:|---:|${GPUS.map(() => ':---:').join('|')}|`);
  for (const [preset, label, o] of rows) {
    const t0 = performance.now();
    const plan = await planMemory(o);
    console.log(
      `| ${preset} | ${label} | ${formatBytes(plan.persistentBytes)} | ${formatBytes(plan.peak)} | ${GPUS.map((g) => (fits(plan.peak, g) ? 'fits' : 'no')).join(' | ')} |`,
    );
    console.error(`  (${preset}, ${label}: planned in ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
}

const [what, flag] = process.argv.slice(2); // check [name filter] | gpu [--quick]
// The cpu backend's "install tfjs-node" banner is noise here.
(tf.findBackend('cpu') as { firstUse?: boolean } | null)!.firstUse = false;
if (what === 'check') await check();
else if (what === 'gpu') await gpuPlans(flag === '--quick');
else {
  console.error('usage: npx tsx benchmarks/memory-plan.ts check | gpu [--quick]');
  process.exit(2);
}
