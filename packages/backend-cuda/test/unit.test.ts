// CPU-only tests of the pieces under the backend: allocator, geometry, bf16, Philox, addon loading, coverage.
import { describe, expect, it } from 'vitest';
import {
  CachingAllocator, CudaOutOfMemoryError, FakeDevice, KERNELS_REQUIRED, bf16BitsToF32, f32ToBf16Bits,
  isCudaAvailable, loadAddon, mulhilo32, philox4x32_10, registeredKernelNames, roundBf16, sizeClass,
} from '../src/index';
import { collapse, packGeom } from '../src/geom';

describe('kernel coverage', () => {
  it('registers every kernel the model, rollout, RLOO loss and AdamW dispatch', () => {
    const have = new Set(registeredKernelNames());
    const missing = KERNELS_REQUIRED.filter((k) => !have.has(k));
    expect(missing).toEqual([]);
    expect(KERNELS_REQUIRED.length).toBe(42);
  });
});

describe('caching allocator', () => {
  it('rounds to size classes', () => {
    expect(sizeClass(0)).toBe(0);
    expect(sizeClass(1)).toBe(512);
    expect(sizeClass(513)).toBe(1024);
    expect(sizeClass(1 << 20)).toBe(1 << 20);
    expect(sizeClass((1 << 20) + 1)).toBe(2 << 20);
    expect(sizeClass(5 << 20)).toBe(6 << 20);
  });

  it('reuses freed blocks of the same class and keeps stats', () => {
    const dev = new FakeDevice();
    const al = new CachingAllocator(dev);
    const a = al.malloc(1000);
    expect(a.bytes).toBe(1024);
    al.free(a);
    const b = al.malloc(900); // same 1024 class
    expect(b.ptr).toBe(a.ptr);
    const c = al.malloc(5000);
    let s = al.stats();
    expect(s.hits).toBe(1);
    expect(s.misses).toBe(2);
    expect(s.rawAllocs).toBe(2);
    expect(s.allocatedBytes).toBe(1024 + 5120);
    expect(s.requestedBytes).toBe(900 + 5000);
    expect(s.liveBlocks).toBe(2);
    al.free(b);
    al.free(c);
    s = al.stats();
    expect(s.allocatedBytes).toBe(0);
    expect(s.cachedBytes).toBe(1024 + 5120);
    expect(s.reservedBytes).toBe(1024 + 5120);
    expect(s.peakAllocatedBytes).toBe(1024 + 5120);
    expect(dev.counters.rawFree).toBe(0);
    al.releaseCache();
    expect(dev.counters.rawFree).toBe(2);
    expect(dev.usedBytes).toBe(0);
    expect(() => al.free(b)).toThrow(/double free/);
  });

  it('zero-byte blocks never touch the device', () => {
    const dev = new FakeDevice();
    const al = new CachingAllocator(dev);
    const z = al.malloc(0);
    expect(z.ptr).toBe(0);
    al.free(z);
    expect(dev.counters.rawMalloc).toBe(0);
  });

  it('releases the cache and retries before reporting OOM', () => {
    const dev = new FakeDevice({ totalBytes: 4 << 20 });
    const al = new CachingAllocator(dev);
    const a = al.malloc(3 << 20); // class 4 MiB: the whole device
    al.free(a); // cached
    const b = al.malloc(1.5 * 2 ** 20); // 2 MiB class: only fits once the cached 4 MiB block is released
    expect(al.stats().cacheFlushes).toBe(1);
    expect(b.ptr).not.toBe(0);
  });

  it('OOM is a JS error naming requested and free bytes, not a crash', () => {
    const dev = new FakeDevice({ totalBytes: 1 << 20 });
    const al = new CachingAllocator(dev);
    al.malloc(600_000);
    let err: unknown;
    try {
      al.malloc(800_000);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CudaOutOfMemoryError);
    const e = err as CudaOutOfMemoryError;
    expect(e.requestedBytes).toBe(800_000);
    expect(e.freeBytes).toBe((1 << 20) - 600_064);
    expect(e.message).toMatch(/cuda out of memory: requested 800000 bytes .* device free 448512 bytes/);
  });
});

describe('geometry', () => {
  it('collapses contiguous axes and drops size-1 axes', () => {
    const c = collapse({ shape: [2, 3, 4], strides: [[12, 4, 1], [12, 4, 1]] });
    expect(c.shape).toEqual([24]);
    const bc = collapse({ shape: [2, 1, 3, 4], strides: [[12, 0, 4, 1], [0, 0, 4, 1]] });
    expect(bc.shape).toEqual([2, 12]);
    expect(bc.strides).toEqual([[12, 1], [0, 1]]);
  });
  it('throws a not-implemented error past rank 6', () => {
    const shape = [2, 2, 2, 2, 2, 2, 2];
    const perm = shape.map((_, i) => 2 ** i); // reversed strides: nothing merges
    expect(() => packGeom({ shape, strides: [perm, perm.slice().reverse()] }, [0, 0], 'Transpose'))
      .toThrow(/not implemented on cuda: Transpose with rank 7/);
  });
});

describe('bf16', () => {
  it('rounds to nearest even', () => {
    expect(roundBf16(1)).toBe(1);
    expect(roundBf16(1 + 2 ** -8)).toBe(1); // halfway: ties to even (1.0)
    expect(roundBf16(1 + 3 * 2 ** -8)).toBe(1 + 2 ** -6); // halfway, odd below: rounds up
    expect(roundBf16(3.14159)).toBeCloseTo(3.140625, 6);
    expect(Number.isNaN(bf16BitsToF32(f32ToBf16Bits(NaN)))).toBe(true);
    expect(bf16BitsToF32(f32ToBf16Bits(Infinity))).toBe(Infinity);
  });
});

describe('Philox4x32-10', () => {
  it('mulhilo32 matches BigInt', () => {
    const pairs = [[0xffffffff, 0xffffffff], [0xd2511f53, 0x12345678], [0xcd9e8d57, 0x9abcdef0], [1, 0], [65535, 65537]];
    for (const [a, b] of pairs) {
      const p = BigInt(a!) * BigInt(b!);
      expect(mulhilo32(a!, b!)).toEqual([Number(p >> 32n), Number(p & 0xffffffffn)]);
    }
  });
  it('matches the Random123 known-answer vectors', () => {
    expect(philox4x32_10([0, 0, 0, 0], 0, 0)).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
    expect(philox4x32_10([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], 0xffffffff, 0xffffffff))
      .toEqual([0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]);
    expect(philox4x32_10([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], 0xa4093822, 0x299f31d0))
      .toEqual([0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]);
  });
});

describe('addon loading and availability', () => {
  it('a missing addon gives a clear reason, never a throw', () => {
    const r = loadAddon(['/nonexistent/softcot_cuda.node']);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/softcot_cuda.node is not built .*scripts\/build-cuda.sh.*\/nonexistent\/softcot_cuda.node \(not found\)/);
  });
  it("isCudaAvailable() explains itself on this machine (no GPU here, or ok on a GPU machine)", () => {
    const av = isCudaAvailable();
    if (!av.ok) expect(av.reason).toMatch(/^cuda backend unavailable: .+; use backend 'cpu'$/s);
    else expect(av.device?.name).toBeTruthy();
  });
});
