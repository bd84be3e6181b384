// What the bad-input corpus builds its cases from: a valid tiny model folder and datasets, made once per run, and
// helpers that write a case's broken variant of them into the case's own folder. No binary is committed: every
// file is generated here.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SafetensorsFile, writeSafetensors, type TensorEntry } from '@softcot/model';
import { runCli } from '../../src/commands/index';

export interface Fixtures {
  /** A tiny qwen2 model folder (2 layers, hidden 64, vocab 512, 2048 positions) with a character tokenizer. */
  model: string;
  /** A valid GSM8K-format dataset of 3 problems. */
  data: string;
  /** The same with 30 problems. */
  data30: string;
}

const gsmRow = (a: number, b: number) => ({ question: `${a}+${b}`, answer: `${a}+${b}=${a + b}\n#### ${a + b}` });

/** Build the fixtures in `dir` (through the CLI's own init, so that they are what users get). */
export async function makeFixtures(dir: string): Promise<Fixtures> {
  fs.mkdirSync(dir, { recursive: true });
  const model = path.join(dir, 'model');
  const lines: string[] = [];
  const code = await runCli(['init', '--preset', 'tiny-qwen2', '--out', model, '--backend', 'cpu'], { stdout: (l) => lines.push(l), stderr: (l) => lines.push(l) });
  if (code !== 0) throw new Error(`fixture model: ${lines.join('\n')}`);
  const data = path.join(dir, 'data.jsonl');
  fs.writeFileSync(data, [gsmRow(1, 2), gsmRow(3, 4), gsmRow(5, 1)].map((r) => JSON.stringify(r)).join('\n') + '\n');
  const data30 = path.join(dir, 'data30.jsonl');
  fs.writeFileSync(data30, Array.from({ length: 30 }, (_, i) => JSON.stringify(gsmRow(i, i + 1))).join('\n') + '\n');
  return { model, data, data30 };
}

export type Tensors = Map<string, { shape: number[]; data: Float32Array }>;

/** The case's folder and helpers that write broken variants into it. */
export class CaseContext {
  constructor(
    readonly dir: string,
    readonly fx: Fixtures,
  ) {}

  path(...parts: string[]): string {
    return path.join(this.dir, ...parts);
  }

  /** A copy of the fixture model in the case folder. */
  copyModel(name = 'model'): string {
    const to = this.path(name);
    fs.cpSync(this.fx.model, to, { recursive: true });
    return to;
  }

  /** A model copy whose JSON file `name` is changed by `edit` (return a new value, or text, to replace it). */
  modelWithJson<T>(name: string, edit: (j: T) => unknown): string {
    const dir = this.copyModel();
    const file = path.join(dir, name);
    const j = JSON.parse(fs.readFileSync(file, 'utf8')) as T;
    const out = edit(j);
    this.json(file, out === undefined ? j : out);
    return dir;
  }

  /** A model copy whose config.json is changed by `edit`. */
  modelWithConfig(edit: (c: Record<string, unknown>) => unknown): string {
    return this.modelWithJson('config.json', edit);
  }

  /** The fixture model's weights. */
  tensors(): Tensors {
    const f = SafetensorsFile.open(path.join(this.fx.model, 'model.safetensors'));
    try {
      return new Map([...f.tensors].map(([name, info]) => [name, { shape: info.shape, data: f.readFloat32(name) }]));
    } finally {
      f.close();
    }
  }

  /** A model copy whose weights are `edit`ed (then written as `dtype`, F32 by default, or per tensor). */
  modelWithTensors(edit: (t: Tensors) => void, dtype: (name: string) => TensorEntry['dtype'] = () => 'F32'): string {
    const dir = this.copyModel();
    const t = this.tensors();
    edit(t);
    const file = path.join(dir, 'model.safetensors');
    fs.rmSync(file);
    writeSafetensors(file, [...t].map(([name, { shape, data }]) => ({ name, shape, dtype: dtype(name), data: () => data })));
    return dir;
  }

  /**
   * A model copy whose model.safetensors is raw bytes: an 8-byte length, `header` (JSON text or an object), `data`.
   * For the corruptions the writer refuses to produce.
   */
  modelWithRawWeights(header: unknown, data: Uint8Array = new Uint8Array(0), length?: bigint): string {
    const dir = this.copyModel();
    this.bytes(path.join(dir, 'model.safetensors'), rawSafetensors(header, data, length));
    return dir;
  }

  json(file: string, value: unknown): string {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 1));
    return file;
  }

  text(name: string, s: string): string {
    const file = path.isAbsolute(name) ? name : this.path(name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, s);
    return file;
  }

  bytes(name: string, b: Uint8Array): string {
    const file = path.isAbsolute(name) ? name : this.path(name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, b);
    return file;
  }

  /** A named pipe (reading it without a writer would block for ever). */
  fifo(name: string): string {
    const file = path.isAbsolute(name) ? name : this.path(name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    execFileSync('mkfifo', [file]);
    return file;
  }

  /** Replace `file` by a folder or a named pipe of the same name. */
  replaceBy(file: string, kind: 'folder' | 'fifo'): void {
    fs.rmSync(file, { force: true });
    if (kind === 'folder') fs.mkdirSync(file);
    else this.fifo(file);
  }

  /** A sparse file of `size` bytes (instant, no disk used): for size limits. */
  sparse(name: string, size: number): string {
    const file = path.isAbsolute(name) ? name : this.path(name);
    fs.writeFileSync(file, '');
    fs.truncateSync(file, size);
    return file;
  }

  /** Text with invalid UTF-8 (a lone 0xff byte) on line `line` of `lines`. */
  badUtf8(name: string, lines: string[], line: number): string {
    const parts = lines.map((l, i) => (i === line - 1 ? Buffer.concat([Buffer.from(l.slice(0, 5)), Buffer.from([0xff]), Buffer.from(l.slice(5))]) : Buffer.from(l)));
    return this.bytes(name, Buffer.concat(parts.flatMap((p, i) => (i ? [Buffer.from('\n'), p] : [p]))));
  }

  /** A valid forward input (two rows of three ids). */
  forwardInput(value: unknown = { input_ids: [[1, 10, 20], [1, 30, 40]] }, name = 'in.json'): string {
    return this.json(this.path(name), value);
  }

  forwardArgs(model: string, input = this.forwardInput(), ...extra: string[]): string[] {
    return ['forward', '--model', model, '--input', input, '--output', this.path('out.json'), '--backend', 'cpu', ...extra];
  }

  evalArgs(model: string, data: string, ...extra: string[]): string[] {
    return ['eval', '--model', model, '--data', data, '--format', 'gsm8k', '--settings', 'hard-greedy', '--samples', '1', '--max-cot', '2', '--max-answer', '2', '--out', this.path('eval'), '--backend', 'cpu', ...extra];
  }

  trainArgs(model: string, data: string, out = this.path('run'), ...extra: string[]): string[] {
    return ['train', '--model', model, '--data', data, '--format', 'gsm8k', '--out', out, '--steps', '1', '--prompts-per-step', '1', '--samples', '2', '--micro-batch', '2', '--max-cot', '2', '--max-answer', '2', '--lr', '1e-4', '--backend', 'cpu', ...extra];
  }

  oodArgs(model: string, ...extra: string[]): string[] {
    return ['ood', '--model', model, '--data', 'synthetic', '--limit', '1', '--backend', 'cpu', ...extra];
  }

  /** A model copy with its tokenizer.json changed by `edit`. */
  modelWithTokenizer(edit: (t: Record<string, unknown> & { model: { vocab: Record<string, number> }; added_tokens: Record<string, unknown>[] }) => unknown): string {
    return this.modelWithJson('tokenizer.json', edit);
  }

  /** A model copy with its tokenizer_config.json changed by `edit`. */
  modelWithTokenizerConfig(edit: (c: Record<string, unknown>) => unknown): string {
    return this.modelWithJson('tokenizer_config.json', edit);
  }
}

/** safetensors bytes from a header (object or raw JSON text) and a data buffer; `length` overrides the u64. */
export function rawSafetensors(header: unknown, data: Uint8Array, length?: bigint): Uint8Array {
  const h = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const out = Buffer.alloc(8 + h.length + data.length);
  out.writeBigUInt64LE(length ?? BigInt(h.length), 0);
  h.copy(out, 8);
  Buffer.from(data).copy(out, 8 + h.length);
  return out;
}

/** `depth` nested arrays: JSON that parses but overflows anything that walks it recursively. */
export const deepJson = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
