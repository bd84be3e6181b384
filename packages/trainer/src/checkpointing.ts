// Training checkpoints: outputDir/checkpoints/step-NNNNNN/ is a complete Hugging Face model folder
// (config.json, model.safetensors in fp32, tokenizer files, softcot_config.json with the CoT policy and σ) plus
// optimizer.safetensors and trainer_state.json. A checkpoint is written into a temporary folder and renamed into
// place, and the symbolic link outputDir/checkpoints/latest is replaced atomically afterwards, so an interruption at
// any moment leaves the previous checkpoint intact and `latest` pointing at a complete one. `latest` is itself a
// loadable model path. With LoRA a checkpoint holds the adapters in PEFT's layout (adapter_config.json,
// adapter_model.safetensors) instead of the model: the base weights never change.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { FileError, fileError, readJsonFile, readTextFile, removeLeftoverTemps, tempName, withFile, writeFolderAtomic, writeJsonAtomic } from '@softcot/base';
import { assertFiniteTensor, readAdapterWeights, saveAdapter, saveModel, SafetensorsFile, writeSafetensors, type CausalLM, type SaveDtype, type Tokenizer } from '@softcot/model';
import { saveCotConfig, type SavedCotConfig } from '@softcot/mixer';
import type { AdamW } from './optimizer';

/** The best validation score so far and the step it was measured at (0: the model before training). */
export interface BestValidation {
  step: number;
  value: number;
}

/** What a saved model folder records of the CoT it was trained with. */
export type CotRecordOfRun = Omit<SavedCotConfig, 'format' | 'softcotVersion'>;

export interface TrainerState {
  step: number;
  optimizerStep: number;
  /** Absent when the run has no validation. */
  best?: BestValidation;
  /** LoRA dropout passes drawn so far (so a resumed run draws the same masks). */
  loraDropoutState?: number;
  format: 'softcot-trainer-state/1';
}

/** A trained model as a complete Hugging Face folder: fp32 weights, its tokenizer, and the CoT it was trained with. */
function saveTrainedModel(dir: string, s: { model: CausalLM; tokenizer: Tokenizer; cot: CotRecordOfRun }): void {
  // With LoRA only the adapters (PEFT layout): the base is the run's --model folder.
  if (s.model.lora) saveAdapter(s.model, dir);
  else saveModel(s.model, dir, { dtype: 'float32' });
  s.tokenizer.save(dir);
  saveCotConfig(dir, s.cot);
}

export function saveTrainingCheckpoint(
  outputDir: string,
  s: { model: CausalLM; tokenizer: Tokenizer; optimizer: AdamW; step: number; cot: CotRecordOfRun; keep: number; best?: BestValidation },
): string {
  const root = path.join(outputDir, 'checkpoints');
  const name = `step-${String(s.step).padStart(6, '0')}`;
  const final = path.join(root, name);
  writeFolderAtomic(
    final,
    (tmp) => {
      saveTrainedModel(tmp, s);
      const { step, tensors } = s.optimizer.state();
      writeSafetensors(path.join(tmp, 'optimizer.safetensors'), tensors.map((t) => ({ ...t, dtype: 'F32' as const })));
      const state: TrainerState = {
        step: s.step,
        optimizerStep: step,
        ...(s.best ? { best: s.best } : {}),
        ...(s.model.lora ? { loraDropoutState: s.model.lora.dropoutState } : {}),
        format: 'softcot-trainer-state/1',
      };
      writeJsonAtomic(path.join(tmp, 'trainer_state.json'), state);
    },
    { replace: true },
  );
  pointLatestAt(root, name);
  // Keep the newest `keep` checkpoints.
  const all = fs.readdirSync(root).filter((n) => /^step-\d+$/.test(n)).sort();
  for (const old of all.slice(0, Math.max(0, all.length - Math.max(1, s.keep))))
    withFile(path.join(root, old), 'cannot remove an old checkpoint', () => fs.rmSync(path.join(root, old), { recursive: true, force: true }));
  return final;
}

/**
 * Keep the model with the best validation score in outputDir/best (a Hugging Face folder plus best.json with the
 * step and score), replaced atomically (writeFolderAtomic): an interruption leaves a complete best model.
 */
export function saveBestModel(outputDir: string, s: { model: CausalLM; tokenizer: Tokenizer; best: BestValidation; cot: CotRecordOfRun }): string {
  const final = path.join(outputDir, 'best');
  writeFolderAtomic(
    final,
    (tmp) => {
      saveTrainedModel(tmp, s);
      writeJsonAtomic(path.join(tmp, 'best.json'), s.best);
    },
    { replace: true },
  );
  return final;
}

/**
 * Remove what interrupted writes left in a run folder (temporary checkpoint, best-model and file writes; see
 * removeLeftoverTemps). Only while the run folder is locked. Returns the entries removed or restored.
 */
export function cleanRunFolder(outputDir: string): string[] {
  return [...removeLeftoverTemps(outputDir), ...removeLeftoverTemps(path.join(outputDir, 'checkpoints')).map((n) => path.join('checkpoints', n))];
}

/**
 * Write `dir` as a plain Hugging Face model folder of the model as it computes: LoRA adapters folded into the
 * weights (W + s·B·A), in `dtype` (default: the config's), with the tokenizer and the CoT record.
 */
export function saveMergedModel(dir: string, s: { model: CausalLM; tokenizer: Tokenizer; cot: CotRecordOfRun | null; dtype?: SaveDtype }): void {
  writeFolderAtomic(
    dir,
    (tmp) => {
      saveModel(s.model, tmp, s.dtype ? { dtype: s.dtype } : {});
      s.tokenizer.save(tmp);
      if (s.cot) saveCotConfig(tmp, s.cot);
    },
    { replace: true },
  );
}

/** Replace checkpoints/latest by a symbolic link to `name`, atomically (a new link renamed over the old). */
function pointLatestAt(root: string, name: string): void {
  const tmp = tempName(path.join(root, 'latest'));
  const latest = path.join(root, 'latest');
  withFile(latest, 'cannot update the link', () => {
    fs.rmSync(tmp, { force: true });
    fs.symlinkSync(name, tmp, 'dir');
    fs.renameSync(tmp, latest);
  });
}

/** The folder of the latest complete checkpoint under outputDir, or null. */
export function latestCheckpoint(outputDir: string): string | null {
  const link = path.join(outputDir, 'checkpoints', 'latest');
  let target: string;
  try {
    // A symbolic link (a plain file holding the folder name was the earlier layout; still read).
    target = fs.lstatSync(link).isSymbolicLink() ? fs.readlinkSync(link) : readTextFile(link).trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw fileError(link, e, 'cannot read');
  }
  if (!/^step-\d+$/.test(target)) throw new FileError(link, `points at ${JSON.stringify(target)}, not a checkpoint folder step-N of this run`);
  const dir = path.join(outputDir, 'checkpoints', target);
  if (!fs.existsSync(path.join(dir, 'trainer_state.json')))
    throw new FileError(link, `points at ${dir}, which has no trainer_state.json (was it deleted?)`);
  return dir;
}

/** Restore model weights, optimizer moments and trainer state from a checkpoint folder. */
export function loadTrainingCheckpoint(dir: string, model: CausalLM, optimizer: AdamW): TrainerState {
  const stateFile = path.join(dir, 'trainer_state.json');
  const state = readJsonFile(stateFile, { what: 'trainer state' }) as TrainerState;
  if (state === null || typeof state !== 'object' || state.format !== 'softcot-trainer-state/1' || !Number.isInteger(state.step) || !Number.isInteger(state.optimizerStep))
    throw new Error(`${stateFile}: not a softcot trainer state (field "format")`);
  if (state.best !== undefined && !(Number.isInteger(state.best.step) && Number.isFinite(state.best.value)))
    throw new Error(`${stateFile}: field "best" must be { step: integer, value: number }, got ${JSON.stringify(state.best)}`);
  if (model.lora) {
    readAdapterWeights(model, dir);
    if (state.loraDropoutState !== undefined) model.lora.dropoutState = state.loraDropoutState;
  } else {
    const weights = SafetensorsFile.open(path.join(dir, 'model.safetensors'));
    try {
      for (const [name, p] of model.params) {
        if (!weights.tensors.has(name)) throw new Error(`${dir}/model.safetensors: missing tensor "${name}"`);
        const data = weights.readFloat32(name);
        assertFiniteTensor(data, weights.path, name);
        const t = tensorLike(p, data, `${dir}/model.safetensors`, name);
        p.assign(t);
        t.dispose();
      }
    } finally {
      weights.close();
    }
  }
  const opt = SafetensorsFile.open(path.join(dir, 'optimizer.safetensors'));
  try {
    optimizer.restore(state.optimizerStep, (key) => {
      if (!opt.tensors.has(key)) throw new Error(`${dir}/optimizer.safetensors: missing tensor "${key}"`);
      return opt.readFloat32(key);
    });
  } finally {
    opt.close();
  }
  return state;
}

/** What a checkpoint keeps of the model: the LoRA adapters (PEFT layout), or every weight (fp32 HF folder). */
function tensorLike(p: tf.Variable, data: Float32Array, file: string, name: string): tf.Tensor {
  if (data.length !== p.size) throw new Error(`${file}: tensor "${name}" has ${data.length} values, the model expects ${p.size}`);
  return tf.tensor(data, p.shape);
}
