// softcot train: RLOO (or GRPO / REINFORCE) post-training with a hard, soft, fuzzy, gumbel or multiplex CoT.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LIKELIHOOD_REWARDS, RLOOTrainer, readMetrics, saveMergedModel, type LikelihoodReward } from '@softcot/trainer';
import { lineChart, PALETTE, parseSettings, pass1Scorer, runningMean, writeSvg, type LineSeries } from '@softcot/eval';
import { noiseSigma } from '@softcot/mixer';
import { BACKEND_HELP, BACKEND_OPTION, optChoice, optFloat, optInt, parseFlags, requireString, selectBackend, UsageError, type Command, type CommandIO, type OptionSpec } from '../args';
import { CONFIG_HELP, CONFIG_OPTION, withConfigFile } from '../config-file';
import { COT_MODES_CLI, COT_POLICY_HELP, COT_POLICY_OPTIONS, cotPolicyFlags, settingsForMode } from './cot-flags';
import { LIMITS } from '@softcot/base';
import { checkOutputFolder } from '../outputs';
import { DATA_HELP, DATA_OPTIONS, fitToContext, loadExamples, blameModel, loadModelDir, MODEL_HELP, MODEL_OPTIONS, promptFormatFor } from './inputs';
import { MEMORY_HELP, MEMORY_OPTIONS, memoryOptionsFrom } from './memory-flags';

const REWARDS = ['verifier', ...LIKELIHOOD_REWARDS] as const;
const ALGOS = ['rloo', 'grpo', 'reinforce'] as const;

const usage = `Usage: softcot train --model DIR --data FILE --out DIR [options]

RL post-training with a continuous (soft, fuzzy, gumbel, multiplex) or discrete (hard) chain of thought.
Checkpoints (out/checkpoints/step-N, Hugging Face folders with softcot_config.json: the CoT policy and σ)
and metrics (out/metrics.jsonl) go to --out, with the run's settings in out/run.json. A run in an existing
--out resumes from its latest checkpoint (out/checkpoints/latest, itself a model folder) when its settings are
the same; --force-resume resumes with changed settings. At the end out/reward-curve.svg is drawn. One run writes to
an --out at a time (out/.softcot.lock); Ctrl-C or SIGTERM finishes the step, saves, and exits 130 or 143.

Options:
  --model DIR          base model folder (config.json, model.safetensors, tokenizer.json)
${DATA_HELP}
  --out DIR            output folder
  --mode M             hard | soft | fuzzy | gumbel | multiplex (default soft)
  --reward R           verifier | logprob | avglogprob | prob | avgprob | jepo (default verifier)
  --algorithm A        rloo | grpo | reinforce (default rloo)
  --steps N            optimizer steps (default 100; paper 4000)
  --lr X               peak learning rate (default 8e-6, the paper's Qwen-2.5-3B value)
  --warmup N           warm-up steps of the cosine schedule (default 20)
  --prompts-per-step B prompts per step (default 2, as in the paper)
  --samples G          samples per prompt (default 32, as in the paper)
  --micro-batch M      rows per gradient pass (default 8)
  --max-cot L          maximum CoT length (default 128; paper: 128 GSM8K, 512 MATH)
  --max-answer N       maximum answer tokens (default 32)
  --temperature X      CoT temperature τ (default: hard 1, soft 0.5, fuzzy 1e-4, gumbel 1, multiplex 1)
${COT_POLICY_HELP}
  --answer-temperature X  temperature of sampled answers, which are then actions (default 1); 0: greedy
                       answers, not actions
  --kl-beta X          KL penalty to the frozen initial model (default off)
  --ppo-clip X         PPO-style ratio clipping ε in (0, 1) (default off)
  --max-grad-norm X    clip the global gradient norm (default: the trainer's)
  --save-every N       checkpoint every N steps (default 50, and always at the end)
  --val-size N         hold out the last N problems of --data for validation (default 0: none)
  --validate-every N   validate every N steps (default 25) and keep the best model in out/best
  --val-setting S      validation score: pass@1 of this inference setting (default hard-greedy,
                       the paper's best-greedy-validation selection)
  --seed N             seed (default 0)
  --gradient-cosine on|off  log the cosine of the two half-batch gradients (default: on up to 100M trainable
                       parameters; it keeps a second gradient buffer)
  --force-resume       resume the run in --out even if its settings (out/run.json) differ
${MODEL_HELP}
${MEMORY_HELP}
  --merge              with --lora-rank: at the end also write out/merged, a plain Hugging Face model
                       with the adapters folded into the weights (checkpoints hold the adapters only)
${CONFIG_HELP}
${BACKEND_HELP}
  -h, --help           show this help`;

export function renderRewardCurve(outDir: string, io?: CommandIO): string | null {
  const file = path.join(outDir, 'metrics.jsonl');
  if (!fs.existsSync(file)) return null;
  const metrics = readMetrics(file);
  if (metrics.length === 0) return null;
  const svgFile = path.join(outDir, 'reward-curve.svg');
  const means = metrics.map((m) => [m.step, m.rewardMean] as const);
  // Per step: the mean over the step's samples and their spread (± one std); over long runs a running mean on top.
  const window = Math.max(1, Math.round(metrics.length / 20));
  const series: LineSeries[] = [
    { name: window > 1 ? 'step mean' : 'mean reward', color: PALETTE[0], points: means, dotsOnly: window > 1, band: metrics.map((m) => [m.step, m.rewardMean - m.rewardStd, m.rewardMean + m.rewardStd] as const) },
  ];
  if (window > 1) series.push({ name: `${window}-step running mean`, color: PALETTE[0], points: runningMean(means, window).mean });
  writeSvg(
    svgFile,
    lineChart({
      title: 'reward per step (band: ± one std over the step\'s samples)',
      xLabel: 'step',
      yLabel: 'reward',
      series,
    }),
  );
  io?.stdout(`wrote ${svgFile}`);
  return svgFile;
}

const TRAIN_OPTIONS: OptionSpec = {
  model: { type: 'string' }, ...DATA_OPTIONS, out: { type: 'string' }, mode: { type: 'string' }, reward: { type: 'string' },
  algorithm: { type: 'string' }, steps: { type: 'string' }, lr: { type: 'string' }, warmup: { type: 'string' },
  'prompts-per-step': { type: 'string' }, samples: { type: 'string' }, 'micro-batch': { type: 'string' }, 'max-cot': { type: 'string' },
  'max-answer': { type: 'string' }, temperature: { type: 'string' }, ...COT_POLICY_OPTIONS, 'answer-temperature': { type: 'string' },
  'kl-beta': { type: 'string' }, 'ppo-clip': { type: 'string' }, 'max-grad-norm': { type: 'string' }, 'save-every': { type: 'string' },
  'val-size': { type: 'string' }, 'validate-every': { type: 'string' }, 'val-setting': { type: 'string' }, seed: { type: 'string' },
  'gradient-cosine': { type: 'string' }, 'force-resume': { type: 'boolean' }, ...MODEL_OPTIONS, ...MEMORY_OPTIONS, merge: { type: 'boolean' }, ...CONFIG_OPTION, ...BACKEND_OPTION,
};

export const trainCommand: Command = {
  name: 'train',
  usage,
  async run(argv, io) {
    const v0 = parseFlags(argv, TRAIN_OPTIONS);
    if (!v0) return (io.stdout(usage), 0);
    const v = await withConfigFile(v0, TRAIN_OPTIONS);
    const modelDir = requireString(v, 'model');
    const dataFile = requireString(v, 'data');
    const out = requireString(v, 'out');
    const mode = optChoice(v, 'mode', COT_MODES_CLI, 'soft');
    const policyFlags = settingsForMode(mode, cotPolicyFlags(v));
    const answerTemperature = optFloat(v, 'answer-temperature', { min: 0 });
    const gradientCosine = optChoice(v, 'gradient-cosine', ['on', 'off'] as const);
    const reward = optChoice(v, 'reward', REWARDS, 'verifier');
    const algorithm = optChoice(v, 'algorithm', ALGOS, 'rloo');
    const steps = optInt(v, 'steps', { min: 1, max: LIMITS.steps }) ?? 100;
    const lr = optFloat(v, 'lr', { positive: true }) ?? 8e-6;
    const warmup = optInt(v, 'warmup', { max: LIMITS.steps }) ?? 20;
    const B = optInt(v, 'prompts-per-step', { min: 1, max: LIMITS.count }) ?? 2;
    const G = optInt(v, 'samples', { min: 1, max: LIMITS.count }) ?? 32;
    const micro = optInt(v, 'micro-batch', { min: 1, max: LIMITS.count }) ?? 8;
    const maxCot = optInt(v, 'max-cot', { min: 1, max: LIMITS.tokens }) ?? 128;
    const maxAnswer = optInt(v, 'max-answer', { min: 1, max: LIMITS.tokens }) ?? 32;
    const temperature = optFloat(v, 'temperature', { positive: true });
    const klBeta = optFloat(v, 'kl-beta', { min: 0 });
    const ppoClip = optFloat(v, 'ppo-clip', { positive: true, max: 1 });
    const maxGradNorm = optFloat(v, 'max-grad-norm', { positive: true });
    const saveEvery = optInt(v, 'save-every', { min: 1, max: LIMITS.steps });
    const seed = optInt(v, 'seed', { max: LIMITS.seed }) ?? 0;
    const valSize = optInt(v, 'val-size', { min: 0, max: LIMITS.rows }) ?? 0;
    const validateEvery = optInt(v, 'validate-every', { min: 1, max: LIMITS.steps }) ?? 25;
    const memory = memoryOptionsFrom(v);
    if (v.merge && !memory.lora) throw new UsageError('--merge needs --lora-rank (without LoRA the checkpoints are full models already)');
    const valSetting = (() => {
      try {
        return parseSettings(typeof v['val-setting'] === 'string' ? v['val-setting'] : 'hard-greedy');
      } catch (e) {
        throw new UsageError(`--val-setting: ${(e as Error).message}`);
      }
    })();
    if (valSetting.length !== 1) throw new UsageError(`--val-setting takes one inference setting, got ${valSetting.length}`);
    checkOutputFolder(out, '--out', { '--model': modelDir, '--data': dataFile }, ['metrics.jsonl', 'run.json', 'reward-curve.svg']);
    const loaded = await loadExamples(dataFile, v, io);
    const backend = await selectBackend(v);
    const { model, tokenizer } = loadModelDir(modelDir, v, { frozenBf16: memory.frozenBf16 });
    try {
      const format = promptFormatFor(v, tokenizer!);
      const all = fitToContext(loaded, dataFile, model, tokenizer!, format, { maxCot, maxAnswer }, v, io);
      if (valSize >= all.length) throw new UsageError(`--val-size ${valSize} leaves no training problems (${dataFile} has ${all.length})`);
      const examples = all.slice(0, all.length - valSize);
      const valExamples = all.slice(all.length - valSize);
      // Validation runs on the policy being trained; a sampled soft/fuzzy setting uses the base model's σ, as training does.
      const sigma = policyFlags.sigma ?? noiseSigma(model.embeddingMatrix, policyFlags.noiseGamma ?? 0.33);
      const validation =
        valSize > 0
          ? { every: validateEvery, score: pass1Scorer(tokenizer!, valExamples, { format, setting: valSetting[0], maxCotTokens: maxCot, maxAnswerTokens: maxAnswer, sigma, seed }) }
          : undefined;
      io.stderr(`train: ${examples.length} problems${valSize > 0 ? ` (+${valSize} for validation)` : ''}, mode ${mode}, reward ${reward}, ${algorithm}, ${steps} steps × ${B} prompts × ${G} samples, backend ${backend}`);
      const trainer = new RLOOTrainer({
        model,
        tokenizer: tokenizer!,
        cot: { mode, maxTokens: maxCot, ...policyFlags, ...(temperature !== undefined ? { temperature } : {}) },
        reward: reward as 'verifier' | LikelihoodReward,
        format,
        algorithm,
        promptsPerStep: B,
        samplesPerPrompt: G,
        microBatch: micro,
        maxAnswerTokens: maxAnswer,
        ...(answerTemperature !== undefined ? { answerTemperature } : {}),
        steps,
        lr,
        warmupSteps: warmup,
        ...(maxGradNorm !== undefined ? { maxGradNorm } : {}),
        ...(klBeta !== undefined && klBeta > 0 ? { kl: { beta: klBeta } } : {}),
        ...(ppoClip !== undefined ? { ppo: { clip: ppoClip } } : {}),
        outputDir: out,
        ...(saveEvery !== undefined ? { saveEvery } : {}),
        ...(validation ? { validation } : {}),
        seed,
        ...(v['force-resume'] ? { resume: 'force' as const } : {}),
        ...(gradientCosine !== undefined ? { gradientCosine: gradientCosine === 'on' } : {}),
        ...memory,
      });
      const res = await blameModel(modelDir, () => trainer.train(examples));
      if (v.merge && !res.interrupted) {
        const merged = path.join(out, 'merged');
        saveMergedModel(merged, { model, tokenizer: tokenizer!, cot: trainer.savedCot() });
        io.stdout(`merged model (base + adapters): ${merged}`);
      }
      io.stdout(`trained to step ${res.step}${res.interrupted ? ' (interrupted)' : ''}; checkpoints in ${path.join(out, 'checkpoints')}`);
      if (res.best) io.stdout(`best validation ${valSetting[0]!.mode}-${valSetting[0]!.greedy ? 'greedy' : 'sample'} pass@1 ${res.best.value.toFixed(3)} at step ${res.best.step}: ${path.join(out, 'best')}`);
      const skipped = res.metrics.filter((m) => m.skipped !== null).length;
      if (skipped > 0) io.stderr(`train: warning: ${skipped} of ${res.metrics.length} updates were skipped (non-finite loss, gradient or weights; see "skipped" in metrics.jsonl)`);
      renderRewardCurve(out, io);
      // 128 + the signal's number, as a shell reports a process ended by it.
      return res.interrupted ? (res.signal === 'SIGTERM' ? 143 : 130) : 0;
    } finally {
      model.dispose();
    }
  },
};
