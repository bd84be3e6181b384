// The pieces under the backend: allocator, geometry, addon loading and availability, the one-line summary.
import { describe, expect, it } from 'vitest';
import {
  CachingAllocator, DeviceOutOfMemoryError, KERNELS_REQUIRED, describeNative as describeDevice, isNativeAvailable,
  loadAddon, registeredKernelNames, sizeClass, type DeviceApi,
} from '../src/index';
import { collapse, packGeom } from '../src/geom';
import { describeNative, nativeCpu } from './native-env';

/** Just the memory half of a device, with a capacity: enough for the allocator's logic. */
class MemoryOnlyDevice {
  readonly kind = 'cpu' as const;
  readonly counters = { rawMalloc: 0, rawFree: 0 };
  private used = 0;
  private next = 0x1000;
  private sizes = new Map<number, number>();
  constructor(private readonly totalBytes = 1 << 30) {}
  rawMalloc(bytes: number): number {
    if (this.used + bytes > this.totalBytes) return 0;
    const p = this.next;
    this.next += bytes + 64;
    this.sizes.set(p, bytes);
    this.used += bytes;
    this.counters.rawMalloc++;
    return p;
  }
  rawFree(p: number): void {
    this.used -= this.sizes.get(p)!;
    this.sizes.delete(p);
    this.counters.rawFree++;
  }
  memInfo() {
    return { free: this.totalBytes - this.used, total: this.totalBytes };
  }
  get usedBytes(): number {
    return this.used;
  }
  asDevice(): DeviceApi {
    return this as unknown as DeviceApi;
  }
}

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
    const dev = new MemoryOnlyDevice();
    const al = new CachingAllocator(dev.asDevice());
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

  it('keeps at most maxCachedBytes of freed blocks; the rest goes back to the device', () => {
    const dev = new MemoryOnlyDevice();
    const al = new CachingAllocator(dev.asDevice(), 3000);
    const a = al.malloc(2048), b = al.malloc(2048);
    al.free(a); // 2048 cached
    al.free(b); // 4096 > 3000: released
    expect(al.stats().cachedBytes).toBe(2048);
    expect(dev.counters.rawFree).toBe(1);
    expect(al.malloc(2000).ptr).toBe(a.ptr); // the cached one is reused
  });

  it('zero-byte blocks never touch the device', () => {
    const dev = new MemoryOnlyDevice();
    const al = new CachingAllocator(dev.asDevice());
    const z = al.malloc(0);
    expect(z.ptr).toBe(0);
    al.free(z);
    expect(dev.counters.rawMalloc).toBe(0);
  });

  it('releases the cache and retries before reporting OOM', () => {
    const dev = new MemoryOnlyDevice(4 << 20);
    const al = new CachingAllocator(dev.asDevice());
    const a = al.malloc(3 << 20); // class 4 MiB: the whole device
    al.free(a); // cached
    const b = al.malloc(1.5 * 2 ** 20); // 2 MiB class: only fits once the cached 4 MiB block is released
    expect(al.stats().cacheFlushes).toBe(1);
    expect(b.ptr).not.toBe(0);
  });

  it('OOM is a JS error naming requested and free bytes, not a crash', () => {
    const dev = new MemoryOnlyDevice(1 << 20);
    const al = new CachingAllocator(dev.asDevice());
    al.malloc(600_000);
    let err: unknown;
    try {
      al.malloc(800_000);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DeviceOutOfMemoryError);
    const e = err as DeviceOutOfMemoryError;
    expect(e.requestedBytes).toBe(800_000);
    expect(e.freeBytes).toBe((1 << 20) - 600_064);
    expect(e.message).toMatch(/^cpu out of memory: requested 800000 bytes .* device free 448512 bytes/);
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
      .toThrow(/not implemented in the native backend: Transpose with rank 7/);
  });
});

describe('addon loading and availability', () => {
  it('a missing addon gives a clear reason, never a throw', () => {
    const r = loadAddon('cpu', ['/nonexistent/softcot_cpu.node']);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/softcot_cpu.node is not built .*scripts\/build-native.sh cpu.*\/nonexistent\/softcot_cpu.node \(not found\)/);
  });
  it('a bad thread count is refused with a one-line reason', () => {
    const av = isNativeAvailable('cpu', { threads: -2 });
    expect(av.ok).toBe(false);
    expect(av.reason).toMatch(/^native-cpu backend unavailable: native-cpu: threads must be a non-negative integer.*; use backend 'wasm'$/);
  });
  it("isNativeAvailable('cuda') explains itself on this machine (no GPU here, or ok on a GPU machine)", () => {
    const av = isNativeAvailable('cuda');
    if (!av.ok) expect(av.reason).toMatch(/^cuda backend unavailable: .+/);
    else expect(av.info?.name).toBeTruthy();
  });
});

describeNative('the cpu device', () => {
  it('opens with every core and says in one line what runs the GEMMs', () => {
    expect(nativeCpu.ok).toBe(true);
    expect(nativeCpu.info!.threads).toBeGreaterThanOrEqual(1);
    const line = describeDevice(nativeCpu);
    expect(line).toMatch(/^native-cpu: .+, \d+ threads? \(.+\); GEMM: .+/);
    expect(line.includes('\n')).toBe(false);
  });
  it("blas: 'builtin' switches the library off; the default search finds it again only in a new process", () => {
    const blas = nativeCpu.blas!;
    if (blas.ok) expect(blas.path).toMatch(/blas|mkl|blis/i);
    else expect(blas.name).toBe('built-in blocked GEMM');
  });
});
