import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { float32ToBfloat16Bits, bfloat16BitsToFloat32, float32ToFloat16Bits, float16BitsToFloat32 } from '../src/safetensors-format';
import { SafetensorsFile, openCheckpointTensors } from '../src/safetensors-reader';
import { writeSafetensors, writeCheckpointTensors, type TensorEntry } from '../src/safetensors-writer';
import { CheckpointError, SoftcotError } from '../src/errors';
import { expectError } from './expect-error';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'softcot-st-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Deterministic pseudo-random floats. */
function rand(n: number, seed = 1, scale = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return out;
}

/** Write a safetensors file by hand: header object + raw data buffer. */
function writeRawFile(name: string, header: unknown, data: Uint8Array = new Uint8Array(0), headerLen?: bigint): string {
  const p = path.join(tmp, name);
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(headerLen ?? BigInt(json.length));
  fs.writeFileSync(p, Buffer.concat([len, json, Buffer.from(data)]));
  return p;
}

/** `fn` throws a CheckpointError whose message has every part. */
const expectCheckpointError = (fn: () => unknown, ...parts: (string | RegExp)[]) => expectError(fn, CheckpointError, ...parts);

describe('dtype conversions', () => {
  it('bf16: exact values round-trip, rounding is to nearest even (by hand)', () => {
    const exact = new Float32Array([0, -0, 1, -2, 0.5, 3.140625, 65536, -1e-3 * 0 + 0.15625, Infinity, -Infinity]);
    expect(Array.from(bfloat16BitsToFloat32(float32ToBfloat16Bits(exact)))).toEqual(Array.from(exact));
    const f = new Float32Array(5);
    const u = new Uint32Array(f.buffer);
    u[0] = 0x3f808000; // 1 + 2^-8: exactly halfway between 0x3f80 and 0x3f81; 0x3f80 is even -> down
    u[1] = 0x3f818000; // halfway between 0x3f81 (odd) and 0x3f82 -> up to even 0x3f82
    u[2] = 0x3f808001; // just above half -> up
    u[3] = 0x3f807fff; // just below half -> down
    u[4] = 0x7f7fffff; // max float -> rounds to +inf
    expect(Array.from(float32ToBfloat16Bits(f))).toEqual([0x3f80, 0x3f82, 0x3f81, 0x3f80, 0x7f80]);
    const nan = float32ToBfloat16Bits(new Float32Array([NaN]));
    expect(Number.isNaN(bfloat16BitsToFloat32(nan)[0])).toBe(true);
    // a NaN whose payload lives only in the low 16 bits must not become inf
    const lowNan = new Float32Array(1);
    new Uint32Array(lowNan.buffer)[0] = 0x7f800001;
    expect(Number.isNaN(bfloat16BitsToFloat32(float32ToBfloat16Bits(lowNan))[0])).toBe(true);
  });

  it('f16: exact values, subnormals, inf, nan, overflow and rounding', () => {
    const exact = new Float32Array([0, 1, -1, 0.5, 65504, -65504, 2 ** -14, 2 ** -24, 3 * 2 ** -24, 1 + 2 ** -10, Infinity, -Infinity]);
    expect(Array.from(float16BitsToFloat32(float32ToFloat16Bits(exact)))).toEqual(Array.from(exact));
    const bits = float32ToFloat16Bits(new Float32Array([1, 65504, 2 ** -24, 2 ** -14, 65520, 1e6, -1e6, 2 ** -25, 2 ** -25 * 1.0001, 1 + 2 ** -11, 1 + 3 * 2 ** -11]));
    expect(Array.from(bits)).toEqual([
      0x3c00, 0x7bff, 0x0001, 0x0400,
      0x7c00, // 65520 is halfway to 65536 -> rounds to even = inf
      0x7c00, 0xfc00,
      0x0000, // 2^-25 is halfway between 0 and the smallest subnormal -> even (0)
      0x0001,
      0x3c00, // 1 + 2^-11 halfway -> even (1.0)
      0x3c02, // 1 + 3*2^-11 halfway between 0x3c01 and 0x3c02 -> even
    ]);
    expect(Array.from(float16BitsToFloat32(new Uint16Array([0x8000, 0x3555, 0x03ff])))).toEqual([-0, 0.333251953125, 1023 * 2 ** -24]);
    expect(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(new Float32Array([NaN])))[0])).toBe(true);
  });
});

describe('writeSafetensors / SafetensorsFile round trip', () => {
  it('F32, F16 and BF16 round trip', () => {
    const exact = new Float32Array([0, 1, -1, 0.5, -0.25, 2, 1024, 3.5, -7, 0.125, 96, -0.75]);
    const random = rand(4 * 33, 7, 3);
    const entries: TensorEntry[] = [
      { name: 'a.f32', dtype: 'F32', shape: [4, 33], data: () => random },
      { name: 'b.f16', dtype: 'F16', shape: [4, 33], data: () => random },
      { name: 'c.bf16', dtype: 'BF16', shape: [4, 33], data: () => random },
      { name: 'd.f16.exact', dtype: 'F16', shape: [3, 4], data: () => exact },
      { name: 'e.bf16.exact', dtype: 'BF16', shape: [12], data: () => exact },
      { name: 'f.scalar', dtype: 'F32', shape: [], data: () => new Float32Array([42]) },
      { name: 'g.empty', dtype: 'F32', shape: [0, 5], data: () => new Float32Array(0) },
    ];
    const p = path.join(tmp, 'rt.safetensors');
    writeSafetensors(p, entries, { format: 'pt', note: 'hi' });
    expect(fs.readdirSync(tmp).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const f = SafetensorsFile.open(p);
    try {
      expect(f.metadata).toEqual({ format: 'pt', note: 'hi' });
      expect([...f.tensors.keys()]).toEqual(entries.map((e) => e.name));
      expect(f.tensors.get('b.f16')).toEqual({ dtype: 'F16', shape: [4, 33], dataOffsets: [4 * 4 * 33, 4 * 4 * 33 + 2 * 4 * 33] });
      expect(Array.from(f.readFloat32('a.f32'))).toEqual(Array.from(random));
      expect(Array.from(f.readFloat32('d.f16.exact'))).toEqual(Array.from(exact));
      expect(Array.from(f.readFloat32('e.bf16.exact'))).toEqual(Array.from(exact));
      expect(Array.from(f.readFloat32('f.scalar'))).toEqual([42]);
      expect(f.readFloat32('g.empty').length).toBe(0);
      const h = f.readFloat32('b.f16');
      const b = f.readFloat32('c.bf16');
      for (let i = 0; i < random.length; i++) {
        expect(Math.abs(h[i] - random[i])).toBeLessThanOrEqual(Math.abs(random[i]) * 2 ** -11 + 2 ** -25);
        expect(Math.abs(b[i] - random[i])).toBeLessThanOrEqual(Math.abs(random[i]) * 2 ** -8);
      }
      expect(f.readRaw('f.scalar')).toEqual(new Uint8Array(new Float32Array([42]).buffer));
    } finally {
      f.close();
    }
  });

  it('pads the header with spaces to a multiple of 8 bytes', () => {
    for (const name of ['x', 'xy', 'xyz', 'abcd', 'abcde', 'abcdef', 'abcdefg', 'abcdefgh']) {
      const p = path.join(tmp, `pad-${name}.safetensors`);
      writeSafetensors(p, [{ name, dtype: 'BF16', shape: [3], data: () => new Float32Array([1, 2, 3]) }]);
      const buf = fs.readFileSync(p);
      const n = Number(buf.readBigUInt64LE(0));
      expect(n % 8).toBe(0);
      expect(buf.length).toBe(8 + n + 6);
      const header = buf.subarray(8, 8 + n).toString('utf8');
      expect(header.trimEnd().length).toBeGreaterThan(n - 8);
      expect(header.slice(header.trimEnd().length)).toMatch(/^ *$/);
      expect(JSON.parse(header)).toEqual({ __metadata__: { format: 'pt' }, [name]: { dtype: 'BF16', shape: [3], data_offsets: [0, 6] } });
    }
  });

  it('calls each data() lazily, once, in order', () => {
    const calls: string[] = [];
    const mk = (name: string): TensorEntry => ({ name, dtype: 'F32', shape: [2], data: () => (calls.push(name), new Float32Array([1, 2])) });
    writeSafetensors(path.join(tmp, 'lazy.safetensors'), [mk('p'), mk('q'), mk('r')]);
    expect(calls).toEqual(['p', 'q', 'r']);
  });

  it('rejects data of the wrong length and leaves no temp file', () => {
    const p = path.join(tmp, 'bad-len.safetensors');
    expectCheckpointError(() => writeSafetensors(p, [{ name: 'w', dtype: 'F32', shape: [2, 2], data: () => new Float32Array(3) }]), 'bad-len.safetensors', 'tensor "w"', '3 elements');
    expect(fs.existsSync(p)).toBe(false);
    expect(fs.readdirSync(tmp).filter((f) => f.includes('bad-len'))).toEqual([]);
  });

  it('reads other dtypes (F64, I64, I32, I16, I8, U8, BOOL) written by hand', () => {
    const f64 = new Float64Array([1.5, -2.25, 1e10]);
    const i64 = new BigInt64Array([-3n, 0n, 9007199254740993n]);
    const i32 = new Int32Array([-7, 123456]);
    const i16 = new Int16Array([-32768, 5]);
    const i8 = new Int8Array([-128, 127]);
    const u8 = new Uint8Array([0, 200, 255]);
    const bool = new Uint8Array([1, 0, 1]);
    const parts: [string, string, number[], Uint8Array][] = [
      ['f64', 'F64', [3], new Uint8Array(f64.buffer)],
      ['i64', 'I64', [3], new Uint8Array(i64.buffer)],
      ['i32', 'I32', [2], new Uint8Array(i32.buffer)],
      ['i16', 'I16', [2], new Uint8Array(i16.buffer)],
      ['i8', 'I8', [2], new Uint8Array(i8.buffer)],
      ['u8', 'U8', [3], u8],
      ['bool', 'BOOL', [3], bool],
    ];
    const header: Record<string, unknown> = {};
    let off = 0;
    for (const [name, dtype, shape, bytes] of parts) {
      header[name] = { dtype, shape, data_offsets: [off, off + bytes.length] };
      off += bytes.length;
    }
    const data = Buffer.concat(parts.map((p) => Buffer.from(p[3])));
    const f = SafetensorsFile.open(writeRawFile('dtypes.safetensors', header, data));
    try {
      expect(Array.from(f.readFloat32('f64'))).toEqual([1.5, -2.25, 1e10]);
      expect(Array.from(f.readFloat32('i64'))).toEqual([-3, 0, Math.fround(9007199254740992)]);
      expect(Array.from(f.readFloat32('i32'))).toEqual([-7, 123456]);
      expect(Array.from(f.readFloat32('i16'))).toEqual([-32768, 5]);
      expect(Array.from(f.readFloat32('i8'))).toEqual([-128, 127]);
      expect(Array.from(f.readFloat32('u8'))).toEqual([0, 200, 255]);
      expect(Array.from(f.readFloat32('bool'))).toEqual([1, 0, 1]);
      expect(Array.from(f.readRaw('u8'))).toEqual([0, 200, 255]);
      expect(f.metadata).toEqual({});
    } finally {
      f.close();
    }
  });
});

describe('checkpoint folders', () => {
  const mkEntries = (): { entries: TensorEntry[]; values: Map<string, Float32Array> } => {
    const values = new Map<string, Float32Array>();
    const entries: TensorEntry[] = [];
    for (let i = 0; i < 7; i++) {
      const name = `model.layers.${i}.mlp.weight`;
      const v = rand(10 * 10, i + 1);
      values.set(name, v);
      entries.push({ name, dtype: 'F32', shape: [10, 10], data: () => v });
    }
    const emb = rand(50, 99);
    values.set('model.embed_tokens.weight', emb);
    entries.push({ name: 'model.embed_tokens.weight', dtype: 'BF16', shape: [5, 10], data: () => emb });
    return { entries, values };
  };

  it('single file when everything fits', () => {
    const dir = path.join(tmp, 'ckpt-single');
    const { entries, values } = mkEntries();
    expect(writeCheckpointTensors(dir, entries)).toEqual(['model.safetensors']);
    const ck = openCheckpointTensors(dir);
    try {
      expect(ck.names().sort()).toEqual([...values.keys()].sort());
      expect(ck.fileOf('model.layers.3.mlp.weight')).toBe(path.join(dir, 'model.safetensors'));
      expect(Array.from(ck.readFloat32('model.layers.3.mlp.weight'))).toEqual(Array.from(values.get('model.layers.3.mlp.weight')!));
      expect(ck.has('nope')).toBe(false);
      expect(ck.info('model.embed_tokens.weight').dtype).toBe('BF16');
    } finally {
      ck.close();
    }
  });

  it('sharded layout round trip (>= 3 shards, HF names and index)', () => {
    const dir = path.join(tmp, 'ckpt-sharded');
    const { entries, values } = mkEntries();
    // leave a stale single file from an earlier save: it must be removed
    writeCheckpointTensors(dir, entries.slice(0, 1));
    expect(fs.existsSync(path.join(dir, 'model.safetensors'))).toBe(true);

    const written = writeCheckpointTensors(dir, entries, { maxShardBytes: 1000 });
    const shards = written.filter((f) => f.endsWith('.safetensors'));
    expect(shards.length).toBeGreaterThanOrEqual(3);
    expect(shards[0]).toBe(`model-00001-of-${String(shards.length).padStart(5, '0')}.safetensors`);
    expect(fs.readdirSync(dir).sort()).toEqual([...written].sort());
    const index = JSON.parse(fs.readFileSync(path.join(dir, 'model.safetensors.index.json'), 'utf8'));
    expect(Object.keys(index)).toEqual(['metadata', 'weight_map']);
    expect(index.metadata).toEqual({ total_size: 7 * 400 + 100 });
    expect(Object.keys(index.weight_map)).toEqual([...values.keys()].sort());
    for (const shard of shards) {
      const f = SafetensorsFile.open(path.join(dir, shard));
      expect(f.metadata).toEqual({ format: 'pt' });
      const bytes = [...f.tensors.values()].reduce((a, t) => a + t.dataOffsets[1] - t.dataOffsets[0], 0);
      expect(bytes).toBeLessThanOrEqual(1000);
      for (const name of f.tensors.keys()) expect(index.weight_map[name]).toBe(shard);
      f.close();
    }
    const ck = openCheckpointTensors(dir);
    try {
      expect(ck.names().sort()).toEqual([...values.keys()].sort());
      for (const [name, v] of values) {
        const got = ck.readFloat32(name);
        if (name === 'model.embed_tokens.weight') {
          expect(Array.from(got)).toEqual(Array.from(bfloat16BitsToFloat32(float32ToBfloat16Bits(v))));
        } else {
          expect(Array.from(got)).toEqual(Array.from(v));
        }
      }
      expect(ck.fileOf('model.embed_tokens.weight')).toBe(path.join(dir, index.weight_map['model.embed_tokens.weight']));
    } finally {
      ck.close();
    }
    // saving a small model again goes back to a single file and removes the shards and index
    writeCheckpointTensors(dir, entries.slice(0, 2));
    expect(fs.readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('a tensor larger than maxShardBytes gets its own shard', () => {
    const dir = path.join(tmp, 'ckpt-big');
    const { entries } = mkEntries();
    const written = writeCheckpointTensors(dir, entries.slice(0, 3), { maxShardBytes: 100 });
    expect(written).toEqual([
      'model-00001-of-00003.safetensors',
      'model-00002-of-00003.safetensors',
      'model-00003-of-00003.safetensors',
      'model.safetensors.index.json',
    ]);
  });

  it('errors: nothing to load lists what was looked for', () => {
    const dir = path.join(tmp, 'ckpt-empty');
    fs.mkdirSync(dir);
    expectCheckpointError(() => openCheckpointTensors(dir), 'ckpt-empty', 'model.safetensors.index.json', 'model.safetensors');
  });

  it('errors: index pointing to a missing shard or a missing tensor', () => {
    const dir = path.join(tmp, 'ckpt-badindex');
    const { entries } = mkEntries();
    writeCheckpointTensors(dir, entries, { maxShardBytes: 1000 });
    const indexPath = path.join(dir, 'model.safetensors.index.json');
    const good = JSON.parse(fs.readFileSync(indexPath, 'utf8'));

    const missingShard = structuredClone(good);
    missingShard.weight_map['model.layers.2.mlp.weight'] = 'model-00009-of-00009.safetensors';
    fs.writeFileSync(indexPath, JSON.stringify(missingShard));
    expectCheckpointError(() => openCheckpointTensors(dir), 'model.safetensors.index.json', 'model.layers.2.mlp.weight', 'model-00009-of-00009.safetensors', 'does not exist');

    const missingTensor = structuredClone(good);
    missingTensor.weight_map['lm_head.weight'] = 'model-00001-of-00004.safetensors';
    fs.writeFileSync(indexPath, JSON.stringify(missingTensor));
    expectCheckpointError(() => openCheckpointTensors(dir), 'model.safetensors.index.json', 'lm_head.weight', 'is not in shard "model-00001-of-00004.safetensors"');

    const wrongShard = structuredClone(good);
    wrongShard.weight_map['model.embed_tokens.weight'] = 'model-00001-of-00004.safetensors';
    fs.writeFileSync(indexPath, JSON.stringify(wrongShard));
    expectCheckpointError(() => openCheckpointTensors(dir), 'model.safetensors.index.json', 'model.embed_tokens.weight', 'is not in shard');

    fs.writeFileSync(indexPath, '{"weight_map": ');
    expectCheckpointError(() => openCheckpointTensors(dir), 'model.safetensors.index.json', 'cannot read shard index');
    fs.writeFileSync(indexPath, '{"metadata": {}}');
    expectCheckpointError(() => openCheckpointTensors(dir), 'model.safetensors.index.json', 'weight_map');
    const escape = structuredClone(good);
    escape.weight_map['model.layers.0.mlp.weight'] = '../rt.safetensors';
    fs.writeFileSync(indexPath, JSON.stringify(escape));
    expectCheckpointError(() => openCheckpointTensors(dir), 'model.safetensors.index.json', 'outside the checkpoint folder');
  });
});

describe('malformed safetensors files', () => {
  const T = 'model.layers.0.self_attn.q_proj.weight';
  const f32x4 = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);

  it('truncated: shorter than 8 bytes', () => {
    const p = path.join(tmp, 'tiny.safetensors');
    fs.writeFileSync(p, Buffer.from([1, 2, 3]));
    expectCheckpointError(() => SafetensorsFile.open(p), 'tiny.safetensors', 'truncated', '3 bytes');
    fs.writeFileSync(p, Buffer.alloc(0));
    expectCheckpointError(() => SafetensorsFile.open(p), 'tiny.safetensors', 'truncated');
  });

  it('truncated: data cut short', () => {
    const p = path.join(tmp, 'cut.safetensors');
    writeSafetensors(p, [
      { name: 'first', dtype: 'F32', shape: [4], data: () => new Float32Array(4) },
      { name: T, dtype: 'F32', shape: [8], data: () => new Float32Array(8) },
    ]);
    fs.truncateSync(p, fs.statSync(p).size - 5);
    expectCheckpointError(() => SafetensorsFile.open(p), 'cut.safetensors', `tensor "${T}"`, 'out of range', 'truncated');
  });

  it('header length past the end of the file', () => {
    const p = writeRawFile('hlen.safetensors', { [T]: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, f32x4, 1000n);
    expectCheckpointError(() => SafetensorsFile.open(p), 'hlen.safetensors', 'header length 1000', 'past the end');
  });

  it('huge header length (2^62, 2^64-1) errors fast without allocating', () => {
    for (const n of [2n ** 62n, 2n ** 63n, 2n ** 64n - 1n]) {
      const p = writeRawFile('huge.safetensors', '{}', new Uint8Array(0), n);
      const t0 = performance.now();
      expectCheckpointError(() => SafetensorsFile.open(p), 'huge.safetensors', `header length ${n}`);
      expect(performance.now() - t0).toBeLessThan(200);
    }
  });

  it('header length above the 100 MB limit', () => {
    // sparse file: 8 + 101 MB, header length 101 MB; must be refused before reading it
    const p = path.join(tmp, 'big-header.safetensors');
    const fd = fs.openSync(p, 'w');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(101 * 1024 * 1024));
    fs.writeSync(fd, len, 0, 8, 0);
    fs.ftruncateSync(fd, 8 + 101 * 1024 * 1024);
    fs.closeSync(fd);
    expectCheckpointError(() => SafetensorsFile.open(p), 'big-header.safetensors', 'exceeds the 104857600-byte limit');
    fs.rmSync(p);
  });

  it('invalid JSON header', () => {
    const p = writeRawFile('badjson.safetensors', '{"a": {"dtype": "F32",', new Uint8Array(0));
    expectCheckpointError(() => SafetensorsFile.open(p), 'badjson.safetensors', 'header', 'not valid UTF-8 JSON');
    const q = writeRawFile('array.safetensors', '[1,2]');
    expectCheckpointError(() => SafetensorsFile.open(q), 'array.safetensors', 'header must be a JSON object');
  });

  it('overlapping offsets', () => {
    const p = writeRawFile('overlap.safetensors', {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      [T]: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
      c: { dtype: 'F32', shape: [1], data_offsets: [12, 16] },
    }, f32x4);
    expectCheckpointError(() => SafetensorsFile.open(p), 'overlap.safetensors', `tensor "${T}"`, 'overlap tensor "a"');
  });

  it('out-of-range offsets', () => {
    const p = writeRawFile('range.safetensors', { [T]: { dtype: 'F32', shape: [4], data_offsets: [1000, 1016] } }, f32x4);
    expectCheckpointError(() => SafetensorsFile.open(p), 'range.safetensors', `tensor "${T}"`, 'data offsets [1000, 1016] are out of range', '16 bytes');
    const q = writeRawFile('neg.safetensors', { [T]: { dtype: 'F32', shape: [0], data_offsets: [-4, 0] } }, f32x4);
    expectCheckpointError(() => SafetensorsFile.open(q), 'neg.safetensors', `tensor "${T}"`, 'out of range');
    const r = writeRawFile('nonint.safetensors', { [T]: { dtype: 'F32', shape: [4], data_offsets: [0, 16.5] } }, f32x4);
    expectCheckpointError(() => SafetensorsFile.open(r), 'nonint.safetensors', `tensor "${T}"`, 'two integers');
  });

  it('reversed offsets', () => {
    const p = writeRawFile('reversed.safetensors', { [T]: { dtype: 'F32', shape: [4], data_offsets: [10, 5] } }, f32x4);
    expectCheckpointError(() => SafetensorsFile.open(p), `reversed.safetensors: tensor "${T}": data offsets [10, 5] are reversed`);
  });

  it('size mismatch with shape', () => {
    const p = writeRawFile('size.safetensors', { [T]: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 16] } }, f32x4);
    expectCheckpointError(() => SafetensorsFile.open(p), 'size.safetensors', `tensor "${T}"`, 'size mismatch', 'needs 24 bytes', 'span 16');
    const q = writeRawFile('shape.safetensors', { [T]: { dtype: 'F32', shape: [-1, 4], data_offsets: [0, 16] } }, f32x4);
    expectCheckpointError(() => SafetensorsFile.open(q), 'shape.safetensors', `tensor "${T}"`, 'non-negative integers');
  });

  it('unknown dtype', () => {
    const p = writeRawFile('dtype.safetensors', { [T]: { dtype: 'F8_E4M3', shape: [16], data_offsets: [0, 16] } }, f32x4);
    expectCheckpointError(() => SafetensorsFile.open(p), 'dtype.safetensors', `tensor "${T}"`, 'unknown dtype "F8_E4M3"');
  });

  it('bad __metadata__ and missing file', () => {
    const p = writeRawFile('meta.safetensors', { __metadata__: { format: 1 } });
    expectCheckpointError(() => SafetensorsFile.open(p), 'meta.safetensors', '__metadata__', '"format"');
    expectCheckpointError(() => SafetensorsFile.open(path.join(tmp, 'missing.safetensors')), 'missing.safetensors', 'cannot open');
  });

  it('reading an unknown tensor or after close names the file', () => {
    const p = path.join(tmp, 'ok.safetensors');
    writeSafetensors(p, [{ name: 'w', dtype: 'F32', shape: [1], data: () => new Float32Array([1]) }]);
    const f = SafetensorsFile.open(p);
    expectCheckpointError(() => f.readFloat32('nope'), 'ok.safetensors', 'tensor "nope"');
    f.close();
    expectCheckpointError(() => f.readFloat32('w'), 'ok.safetensors', 'closed');
  });
});
