// safetensors writer (no dependency): one file, streamed tensor by tensor, and a checkpoint folder sharded as
// transformers shards it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeAll, writeFileAtomic, writeJsonAtomic } from '@softcot/base';
import { CheckpointError } from './errors';
import {
  DTYPE_SIZES,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
  INDEX_FILE_NAME,
  SINGLE_FILE_NAME,
  tensorField,
  type WritableDtype,
} from './safetensors-format';

export interface TensorEntry {
  name: string;
  dtype: WritableDtype;
  shape: number[];
  /** Called once, when this tensor is written; the array is not kept. */
  data: () => Float32Array;
}

/** Default shard size for writeCheckpointTensors (transformers' default max_shard_size "5GB"). */
export const DEFAULT_MAX_SHARD_BYTES = 5_000_000_000;

function numelOf(entry: { name: string; shape: number[] }, file: string): number {
  if (!Array.isArray(entry.shape) || !entry.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new CheckpointError(`shape ${JSON.stringify(entry.shape)} must be an array of non-negative integers`, { file, field: tensorField(entry.name) });
  }
  return entry.shape.reduce((a, b) => a * b, 1);
}

function entryBytes(entry: TensorEntry, file: string): number {
  if (!Object.hasOwn(DTYPE_SIZES, entry.dtype) || !['F32', 'F16', 'BF16'].includes(entry.dtype)) {
    throw new CheckpointError(`cannot write dtype ${JSON.stringify(entry.dtype)} (F32, F16 or BF16)`, { file, field: tensorField(entry.name) });
  }
  return numelOf(entry, file) * DTYPE_SIZES[entry.dtype];
}

function encodeEntry(entry: TensorEntry, file: string): Uint8Array {
  const numel = numelOf(entry, file);
  const data = entry.data();
  if (!(data instanceof Float32Array) || data.length !== numel) {
    throw new CheckpointError(
      `data has ${data instanceof Float32Array ? data.length : 'a non-Float32Array'} elements, shape [${entry.shape.join(', ')}] needs ${numel}`,
      { file, field: tensorField(entry.name) },
    );
  }
  switch (entry.dtype) {
    case 'F32': return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    case 'F16': return new Uint8Array(float32ToFloat16Bits(data).buffer);
    case 'BF16': return new Uint8Array(float32ToBfloat16Bits(data).buffer);
  }
}

/** Build the 8-byte length + header (padded with spaces to a multiple of 8 bytes, like HF). */
export function buildSafetensorsHeader(
  entries: { name: string; dtype: string; shape: number[] }[],
  sizes: number[],
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  entries.forEach((e, i) => {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + sizes[i]] };
    offset += sizes[i];
  });
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length);
  return out;
}

/**
 * Write a safetensors file, streaming tensor by tensor (each entry's `data()` is called once, in order).
 * Default metadata is `{format: 'pt'}` (transformers requires it).
 */
export function writeSafetensors(file: string, entries: TensorEntry[], metadata: Record<string, string> = { format: 'pt' }): void {
  const seen = new Set<string>();
  for (const e of entries) {
    if (typeof e.name !== 'string' || e.name === '' || e.name === '__metadata__') {
      throw new CheckpointError(`invalid tensor name ${JSON.stringify(e.name)}`, { file, field: tensorField(String(e.name)) });
    }
    if (seen.has(e.name)) throw new CheckpointError('duplicate tensor name', { file, field: tensorField(e.name) });
    seen.add(e.name);
  }
  const sizes = entries.map((e) => entryBytes(e, file));
  const head = buildSafetensorsHeader(entries, sizes, metadata);
  writeFileAtomic(file, (fd) => {
    writeAll(fd, head);
    for (const e of entries) writeAll(fd, encodeEntry(e, file));
  });
}

export interface WriteCheckpointOptions {
  /** Largest shard (tensor bytes, as transformers counts); default 5 GB. */
  maxShardBytes?: number;
  metadata?: Record<string, string>;
}

export const shardFileName = (i: number, n: number) =>
  `model-${String(i + 1).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.safetensors`;
const SHARD_RE = /^model-\d{5}-of-\d{5}\.safetensors$/;

/**
 * Write a checkpoint folder the way HF transformers does: `model.safetensors` when everything fits in one shard,
 * else `model-0000i-of-0000N.safetensors` + `model.safetensors.index.json`. Stale weight files from an earlier save
 * (other shard sets, the single file / index) are removed after the new files are in place.
 * Returns the written weight file names.
 */
export function writeCheckpointTensors(dir: string, entries: TensorEntry[], opts: WriteCheckpointOptions = {}): string[] {
  const maxShard = opts.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES;
  const metadata = opts.metadata ?? { format: 'pt' };
  if (!(maxShard > 0)) throw new CheckpointError(`maxShardBytes must be positive, got ${maxShard}`, { file: dir, field: 'maxShardBytes' });
  fs.mkdirSync(dir, { recursive: true });
  const sizes = entries.map((e) => entryBytes(e, dir));
  // Greedy split like huggingface_hub.split_state_dict_into_shards: start a new shard when the next tensor would
  // overflow the current one; a tensor larger than the limit gets a shard of its own.
  const shards: TensorEntry[][] = [];
  let cur: TensorEntry[] = [];
  let curSize = 0;
  entries.forEach((e, i) => {
    if (cur.length > 0 && curSize + sizes[i] > maxShard) {
      shards.push(cur);
      cur = [];
      curSize = 0;
    }
    cur.push(e);
    curSize += sizes[i];
  });
  if (cur.length > 0 || shards.length === 0) shards.push(cur);

  let written: string[];
  if (shards.length === 1) {
    writeSafetensors(path.join(dir, SINGLE_FILE_NAME), entries, metadata);
    written = [SINGLE_FILE_NAME];
  } else {
    written = shards.map((_, i) => shardFileName(i, shards.length));
    const weightMap: Record<string, string> = {};
    shards.forEach((shard, i) => {
      writeSafetensors(path.join(dir, written[i]), shard, metadata);
      for (const e of shard) weightMap[e.name] = written[i];
    });
    const sortedMap: Record<string, string> = {};
    for (const k of Object.keys(weightMap).sort()) sortedMap[k] = weightMap[k];
    const index = { metadata: { total_size: sizes.reduce((a, b) => a + b, 0) }, weight_map: sortedMap };
    writeJsonAtomic(path.join(dir, INDEX_FILE_NAME), index);
    written.push(INDEX_FILE_NAME);
  }
  const keep = new Set(written);
  for (const f of fs.readdirSync(dir)) {
    if ((f === SINGLE_FILE_NAME || f === INDEX_FILE_NAME || SHARD_RE.test(f)) && !keep.has(f)) {
      fs.rmSync(path.join(dir, f), { force: true });
    }
  }
  return written;
}
