// safetensors reader (no dependency): one file, and a checkpoint folder (single file or sharded with an index).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckpointError } from './errors';
import {
  bfloat16BitsToFloat32,
  DTYPE_SIZES,
  float16BitsToFloat32,
  INDEX_FILE_NAME,
  isObject,
  SINGLE_FILE_NAME,
  tensorField,
  type SafetensorsDtype,
} from './safetensors-format';

export interface TensorInfo {
  dtype: SafetensorsDtype;
  shape: number[];
  /** [begin, end) relative to the start of the data buffer. */
  dataOffsets: [number, number];
}

/** Header JSON larger than this is refused before any allocation. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

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
