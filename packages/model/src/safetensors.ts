/**
 * safetensors reader and writer (no dependency). See docs/formats.md for the rules enforced here.
 *
 * Layout: 8-byte little-endian u64 header length N, N bytes of JSON header
 * `{ name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str} }`, then the data buffer;
 * offsets are relative to the start of the buffer (byte 8 + N of the file).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CheckpointError } from './errors';

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U64' | 'U32' | 'U16' | 'U8' | 'BOOL';
export type WritableDtype = 'F32' | 'F16' | 'BF16';

export const DTYPE_SIZES: Readonly<Record<SafetensorsDtype, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
};

export interface TensorInfo {
  dtype: SafetensorsDtype;
  shape: number[];
  /** [begin, end) relative to the start of the data buffer. */
  dataOffsets: [number, number];
}

export interface TensorEntry {
  name: string;
  dtype: WritableDtype;
  shape: number[];
  /** Called once, when this tensor is written; the array is not kept. */
  data: () => Float32Array;
}

/** Header JSON larger than this is refused before any allocation. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;
/** Default shard size for writeCheckpointTensors (transformers' default max_shard_size "5GB"). */
export const DEFAULT_MAX_SHARD_BYTES = 5_000_000_000;
export const SINGLE_FILE_NAME = 'model.safetensors';
export const INDEX_FILE_NAME = 'model.safetensors.index.json';

if (os.endianness() !== 'LE') {
  throw new Error('softcot safetensors: only little-endian hosts are supported');
}

const tensorField = (name: string) => `tensor ${JSON.stringify(name)}`;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------------------------
// dtype conversions

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** F32 -> BF16 bits, round to nearest even; NaN stays NaN (quiet, sign kept); overflow rounds to +-inf. */
export function float32ToBfloat16Bits(src: Float32Array): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint16Array(src.length);
  for (let i = 0; i < bits.length; i++) {
    const u = bits[i];
    if ((u & 0x7fffffff) > 0x7f800000) {
      out[i] = (u >>> 16) | 0x0040; // NaN: keep sign and top payload bits, force quiet bit
    } else {
      out[i] = (u + 0x7fff + ((u >>> 16) & 1)) >>> 16;
    }
  }
  return out;
}

/** BF16 bits -> F32 (exact: the bits become the upper half of the float). */
export function bfloat16BitsToFloat32(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  const u = new Uint32Array(out.buffer);
  for (let i = 0; i < src.length; i++) u[i] = src[i] << 16;
  return out;
}

function f32ToF16(x: number): number {
  f32Scratch[0] = x;
  const u = u32Scratch[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  const mant = u & 0x7fffff;
  if (exp === 0xff) return mant !== 0 ? sign | 0x7e00 | (mant >>> 13) : sign | 0x7c00; // NaN / inf
  const e = exp - 112; // rebias 127 -> 15
  if (e >= 31) return sign | 0x7c00; // overflow -> inf
  if (e <= 0) {
    // subnormal half (or zero): value = m * 2^-shift half-ulps (2^-24)
    const shift = 14 - e;
    if (shift > 24) return sign; // < 2^-25: rounds to zero
    const m = mant | 0x800000;
    let h = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1) === 1)) h++;
    return sign | h; // h may carry into the smallest normal, which is the right encoding
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) === 1)) h++; // carry may reach 0x7c00 = inf: correct
  return sign | h;
}

/** F32 -> F16 bits, round to nearest even, overflow to +-inf, subnormals, NaN kept. */
export function float32ToFloat16Bits(src: Float32Array): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f32ToF16(src[i]);
  return out;
}

let f16Table: Float32Array | null = null;
function halfTable(): Float32Array {
  if (f16Table) return f16Table;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) t[h] = sign * mant * 2 ** -24;
    else if (exp === 31) t[h] = mant ? NaN : sign * Infinity;
    else t[h] = sign * 2 ** (exp - 15) * (1 + mant / 1024);
  }
  return (f16Table = t);
}

/** F16 bits -> F32 (exact; subnormals, inf and NaN decoded). */
export function float16BitsToFloat32(src: Uint16Array): Float32Array {
  const t = halfTable();
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = t[src[i]];
  return out;
}

/** Convert raw little-endian bytes of `dtype` (aligned copy) to Float32. */
function bytesToFloat32(bytes: Uint8Array, dtype: SafetensorsDtype, count: number): Float32Array {
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const buf = aligned.buffer;
  const off = aligned.byteOffset;
  switch (dtype) {
    case 'F32': return new Float32Array(buf, off, count);
    case 'F64': return Float32Array.from(new Float64Array(buf, off, count));
    case 'F16': return float16BitsToFloat32(new Uint16Array(buf, off, count));
    case 'BF16': return bfloat16BitsToFloat32(new Uint16Array(buf, off, count));
    case 'I64': { const s = new BigInt64Array(buf, off, count); const o = new Float32Array(count); for (let i = 0; i < count; i++) o[i] = Number(s[i]); return o; }
    case 'U64': { const s = new BigUint64Array(buf, off, count); const o = new Float32Array(count); for (let i = 0; i < count; i++) o[i] = Number(s[i]); return o; }
    case 'I32': return Float32Array.from(new Int32Array(buf, off, count));
    case 'U32': return Float32Array.from(new Uint32Array(buf, off, count));
    case 'I16': return Float32Array.from(new Int16Array(buf, off, count));
    case 'U16': return Float32Array.from(new Uint16Array(buf, off, count));
    case 'I8': return Float32Array.from(new Int8Array(buf, off, count));
    case 'U8': return Float32Array.from(new Uint8Array(buf, off, count));
    case 'BOOL': { const s = new Uint8Array(buf, off, count); const o = new Float32Array(count); for (let i = 0; i < count; i++) o[i] = s[i] ? 1 : 0; return o; }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// reader

function readFully(fd: number, target: Uint8Array, position: number, file: string, field: string): void {
  let done = 0;
  while (done < target.length) {
    const chunk = Math.min(target.length - done, 1 << 30);
    const n = fs.readSync(fd, target, done, chunk, position + done);
    if (n === 0) throw new CheckpointError(`file truncated: unexpected end of file at byte ${position + done}`, { file, field });
    done += n;
  }
}

export class SafetensorsFile {
  readonly path: string;
  readonly tensors: Map<string, TensorInfo>;
  readonly metadata: Record<string, string>;
  /** Absolute file position of the data buffer (8 + header length). */
  readonly dataStart: number;
  private fd: number | null;

  private constructor(p: string, fd: number, tensors: Map<string, TensorInfo>, metadata: Record<string, string>, dataStart: number) {
    this.path = p;
    this.fd = fd;
    this.tensors = tensors;
    this.metadata = metadata;
    this.dataStart = dataStart;
  }

  /** Open and validate a safetensors file; only the header is read. */
  static open(file: string): SafetensorsFile {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (e) {
      throw new CheckpointError(`cannot open safetensors file (${(e as Error).message})`, { file, cause: e });
    }
    try {
      const { tensors, metadata, dataStart } = SafetensorsFile.readHeader(fd, file);
      return new SafetensorsFile(file, fd, tensors, metadata, dataStart);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  private static readHeader(fd: number, file: string) {
    const size = fs.fstatSync(fd).size;
    if (size < 8) throw new CheckpointError(`file truncated: ${size} bytes, shorter than the 8-byte header length`, { file, field: 'header length' });
    const lenBuf = new Uint8Array(8);
    readFully(fd, lenBuf, 0, file, 'header length');
    const n = new DataView(lenBuf.buffer).getBigUint64(0, true);
    if (n > BigInt(size - 8)) {
      throw new CheckpointError(`header length ${n} is past the end of the file (file is ${size} bytes; truncated or corrupt)`, { file, field: 'header length' });
    }
    if (n > BigInt(MAX_HEADER_BYTES)) {
      throw new CheckpointError(`header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`, { file, field: 'header length' });
    }
    const headerLen = Number(n);
    const headerBytes = new Uint8Array(headerLen);
    readFully(fd, headerBytes, 8, file, 'header');
    let header: unknown;
    try {
      header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
    } catch (e) {
      throw new CheckpointError(`header is not valid UTF-8 JSON (${(e as Error).message})`, { file, field: 'header', cause: e });
    }
    if (!isObject(header)) throw new CheckpointError('header must be a JSON object', { file, field: 'header' });

    const dataStart = 8 + headerLen;
    const bufferSize = size - dataStart;
    const metadata: Record<string, string> = {};
    const tensors = new Map<string, TensorInfo>();
    for (const [name, raw] of Object.entries(header)) {
      if (name === '__metadata__') {
        if (!isObject(raw)) throw new CheckpointError('must be an object of strings', { file, field: '__metadata__' });
        for (const [k, v] of Object.entries(raw)) {
          if (typeof v !== 'string') throw new CheckpointError(`value of ${JSON.stringify(k)} must be a string`, { file, field: '__metadata__' });
          metadata[k] = v;
        }
        continue;
      }
      const field = tensorField(name);
      if (!isObject(raw)) throw new CheckpointError('entry must be an object {dtype, shape, data_offsets}', { file, field });
      const dtype = raw.dtype;
      if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_SIZES, dtype)) {
        throw new CheckpointError(`unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(DTYPE_SIZES).join(', ')})`, { file, field });
      }
      const shape = raw.shape;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
        throw new CheckpointError(`shape ${JSON.stringify(shape)} must be an array of non-negative integers`, { file, field });
      }
      const offs = raw.data_offsets;
      if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o))) {
        throw new CheckpointError(`data_offsets ${JSON.stringify(offs)} must be two integers [begin, end]`, { file, field });
      }
      const [begin, end] = offs as [number, number];
      if (begin < 0 || end < 0) throw new CheckpointError(`data offsets [${begin}, ${end}] are out of range (negative)`, { file, field });
      if (begin > end) throw new CheckpointError(`data offsets [${begin}, ${end}] are reversed`, { file, field });
      if (end > bufferSize) {
        throw new CheckpointError(
          `data offsets [${begin}, ${end}] are out of range: the data buffer has only ${bufferSize} bytes (file truncated?)`,
          { file, field },
        );
      }
      const numel = (shape as number[]).reduce((a, b) => a * b, 1);
      const expected = numel * DTYPE_SIZES[dtype as SafetensorsDtype];
      if (!Number.isSafeInteger(expected) || expected !== end - begin) {
        throw new CheckpointError(
          `size mismatch: shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${expected} bytes but data offsets [${begin}, ${end}] span ${end - begin}`,
          { file, field },
        );
      }
      tensors.set(name, { dtype: dtype as SafetensorsDtype, shape: [...(shape as number[])], dataOffsets: [begin, end] });
    }
    // Overlaps: sort by begin, each non-empty tensor must start at or after the previous one's end.
    const sorted = [...tensors.entries()].filter(([, t]) => t.dataOffsets[1] > t.dataOffsets[0]).sort((a, b) => a[1].dataOffsets[0] - b[1].dataOffsets[0]);
    for (let i = 1; i < sorted.length; i++) {
      const [prevName, prev] = sorted[i - 1];
      const [name, cur] = sorted[i];
      if (cur.dataOffsets[0] < prev.dataOffsets[1]) {
        throw new CheckpointError(
          `data offsets [${cur.dataOffsets.join(', ')}] overlap ${tensorField(prevName)} at [${prev.dataOffsets.join(', ')}]`,
          { file, field: tensorField(name) },
        );
      }
    }
    return { tensors, metadata, dataStart };
  }

  private info(name: string): TensorInfo {
    const t = this.tensors.get(name);
    if (!t) throw new CheckpointError('no such tensor in this file', { file: this.path, field: tensorField(name) });
    return t;
  }

  private requireFd(): number {
    if (this.fd === null) throw new CheckpointError('file is closed', { file: this.path });
    return this.fd;
  }

  /** The tensor's raw little-endian bytes (reads just that range). */
  readRaw(name: string): Uint8Array {
    const t = this.info(name);
    const [begin, end] = t.dataOffsets;
    const out = new Uint8Array(end - begin);
    readFully(this.requireFd(), out, this.dataStart + begin, this.path, tensorField(name));
    return out;
  }

  /** The tensor converted to Float32 (F32/F16/BF16/F64/ints/BOOL). */
  readFloat32(name: string): Float32Array {
    const t = this.info(name);
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (t.dtype === 'F32') {
      const out = new Float32Array(numel);
      readFully(this.requireFd(), new Uint8Array(out.buffer), this.dataStart + t.dataOffsets[0], this.path, tensorField(name));
      return out;
    }
    return bytesToFloat32(this.readRaw(name), t.dtype, numel);
  }

  close(): void {
    if (this.fd !== null) {
      fs.closeSync(this.fd);
      this.fd = null;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// checkpoint folders (single file or sharded)

export interface CheckpointTensors {
  /** Files opened (absolute or as joined from dir). */
  readonly files: string[];
  names(): string[];
  has(name: string): boolean;
  info(name: string): TensorInfo;
  readFloat32(name: string): Float32Array;
  readRaw(name: string): Uint8Array;
  /** The file holding `name`. */
  fileOf(name: string): string;
  close(): void;
}

export function openCheckpointTensors(dir: string): CheckpointTensors {
  const indexPath = path.join(dir, INDEX_FILE_NAME);
  const singlePath = path.join(dir, SINGLE_FILE_NAME);
  const byName = new Map<string, SafetensorsFile>();
  const opened: SafetensorsFile[] = [];
  try {
    if (fs.existsSync(indexPath)) {
      let index: unknown;
      try {
        index = JSON.parse(fs.readFileSync(indexPath, 'utf8'));
      } catch (e) {
        throw new CheckpointError(`cannot read shard index (${(e as Error).message})`, { file: indexPath, cause: e });
      }
      if (!isObject(index) || !isObject(index.weight_map)) {
        throw new CheckpointError('must be an object mapping tensor names to shard files', { file: indexPath, field: 'weight_map' });
      }
      const shards = new Map<string, SafetensorsFile>();
      const root = path.resolve(dir);
      for (const [name, shard] of Object.entries(index.weight_map)) {
        const field = `weight_map[${JSON.stringify(name)}]`;
        if (typeof shard !== 'string' || shard === '') throw new CheckpointError('shard file name must be a non-empty string', { file: indexPath, field });
        let sf = shards.get(shard);
        if (!sf) {
          const shardPath = path.join(dir, shard);
          const rel = path.relative(root, path.resolve(shardPath));
          if (rel.startsWith('..') || path.isAbsolute(rel)) {
            throw new CheckpointError(`shard file ${JSON.stringify(shard)} is outside the checkpoint folder`, { file: indexPath, field });
          }
          if (!fs.existsSync(shardPath)) {
            throw new CheckpointError(`shard file ${JSON.stringify(shard)} does not exist in ${dir}`, { file: indexPath, field });
          }
          sf = SafetensorsFile.open(shardPath);
          shards.set(shard, sf);
          opened.push(sf);
        }
        if (!sf.tensors.has(name)) {
          throw new CheckpointError(`tensor ${JSON.stringify(name)} is not in shard ${JSON.stringify(shard)}`, { file: indexPath, field });
        }
        byName.set(name, sf);
      }
    } else if (fs.existsSync(singlePath)) {
      const sf = SafetensorsFile.open(singlePath);
      opened.push(sf);
      for (const name of sf.tensors.keys()) byName.set(name, sf);
    } else {
      const extra = fs.existsSync(path.join(dir, 'pytorch_model.bin')) ? ' (found pytorch_model.bin: only safetensors is supported)' : '';
      throw new CheckpointError(`no weights found: looked for ${INDEX_FILE_NAME} and ${SINGLE_FILE_NAME}${extra}`, { file: dir });
    }
  } catch (e) {
    for (const f of opened) f.close();
    throw e;
  }
  const get = (name: string): SafetensorsFile => {
    const sf = byName.get(name);
    if (!sf) throw new CheckpointError('no such tensor in the checkpoint', { file: dir, field: tensorField(name) });
    return sf;
  };
  return {
    files: opened.map((f) => f.path),
    names: () => [...byName.keys()],
    has: (name) => byName.has(name),
    info: (name) => get(name).tensors.get(name)!,
    readFloat32: (name) => get(name).readFloat32(name),
    readRaw: (name) => get(name).readRaw(name),
    fileOf: (name) => get(name).path,
    close: () => {
      for (const f of opened) f.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// writer

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

function writeFully(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) {
    done += fs.writeSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 30));
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

/** Write `tmp` then fsync and rename onto `file`; the temp file is removed on failure. */
function atomicWrite(file: string, body: (fd: number) => void): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    body(fd);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
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
  atomicWrite(file, (fd) => {
    writeFully(fd, head);
    for (const e of entries) writeFully(fd, encodeEntry(e, file));
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
    const text = new TextEncoder().encode(JSON.stringify(index, null, 2) + '\n');
    atomicWrite(path.join(dir, INDEX_FILE_NAME), (fd) => writeFully(fd, text));
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
