/**
 * Caching allocator over DeviceApi.rawMalloc/rawFree: a cudaMalloc per miss is ~10-100 µs and synchronising, and
 * on the cpu a fresh large block costs a page fault per 4 KiB (or 2 MiB) page on first touch.
 *
 * - Sizes are rounded up to a size class: 512 B granularity below 1 MiB, 2 MiB granularity above (so a block is
 *   at most ~0.2% larger than asked for large tensors; small ones waste < 512 B).
 * - Freed blocks go to a bin per size class and are handed out again for the same class, up to `maxCachedBytes`
 *   in all (beyond it a freed block goes straight back to the device: on the cpu, host memory other processes need).
 * - Everything runs in order (one CUDA stream; on the cpu every kernel has finished when its call returns), so a
 *   block freed here can be reused by the next kernel without an event.
 * - On a miss that the device cannot satisfy, the cache is released (cudaFree) and the allocation retried once;
 *   after that the allocation fails with DeviceOutOfMemoryError naming the requested and free bytes.
 */
import type { DeviceApi, DeviceKind, Ptr } from './device/api';

export interface Block {
  readonly ptr: Ptr;
  /** Size class actually reserved (>= requested). */
  readonly bytes: number;
  readonly requested: number;
}

export interface AllocatorStats {
  /** Bytes in blocks handed out and not yet freed (size classes). */
  allocatedBytes: number;
  /** Bytes the caller asked for in live blocks. */
  requestedBytes: number;
  /** Bytes held in the cache, ready for reuse. */
  cachedBytes: number;
  /** allocated + cached: what this process holds from the device. */
  reservedBytes: number;
  peakAllocatedBytes: number;
  liveBlocks: number;
  cachedBlocks: number;
  /** allocations served from the cache / by a raw device allocation. */
  hits: number;
  misses: number;
  rawAllocs: number;
  rawFrees: number;
  /** times the cache was released to satisfy an allocation. */
  cacheFlushes: number;
}

/** "<device> out of memory: requested N bytes ..., device free M bytes ...": a JS error; the process goes on. */
export class DeviceOutOfMemoryError extends Error {
  readonly code = 'DEVICE_OOM';
  constructor(readonly device: DeviceKind, readonly requestedBytes: number, readonly freeBytes: number,
    readonly totalBytes: number, readonly allocatedBytes: number, readonly cachedBytes: number) {
    super(`${device} out of memory: requested ${requestedBytes} bytes (${fmt(requestedBytes)}), device free ${freeBytes} ` +
      `bytes (${fmt(freeBytes)}) of ${fmt(totalBytes)}; this process holds ${fmt(allocatedBytes)} in live tensors ` +
      `and ${fmt(cachedBytes)} cached. Dispose tensors (tf.tidy), lower the batch size, or use precision 'bf16'.`);
    this.name = 'DeviceOutOfMemoryError';
  }
}

function fmt(b: number): string {
  if (b >= 1 << 30) return `${(b / (1 << 30)).toFixed(2)} GiB`;
  if (b >= 1 << 20) return `${(b / (1 << 20)).toFixed(2)} MiB`;
  if (b >= 1 << 10) return `${(b / (1 << 10)).toFixed(1)} KiB`;
  return `${b} B`;
}

const SMALL = 1 << 20;
const SMALL_ROUND = 512;
const LARGE_ROUND = 2 << 20;

export function sizeClass(bytes: number): number {
  if (bytes <= 0) return 0;
  if (bytes <= SMALL) return Math.ceil(bytes / SMALL_ROUND) * SMALL_ROUND;
  return Math.ceil(bytes / LARGE_ROUND) * LARGE_ROUND;
}

export class CachingAllocator {
  private bins = new Map<number, Ptr[]>();
  private live = new Map<Ptr, Block>();
  private s: AllocatorStats = {
    allocatedBytes: 0, requestedBytes: 0, cachedBytes: 0, reservedBytes: 0, peakAllocatedBytes: 0, liveBlocks: 0,
    cachedBlocks: 0, hits: 0, misses: 0, rawAllocs: 0, rawFrees: 0, cacheFlushes: 0,
  };

  constructor(private readonly device: DeviceApi, readonly maxCachedBytes = Infinity) {}

  /** A block of at least `bytes`; a zero-byte request returns the null block (ptr 0) without touching the device. */
  malloc(bytes: number): Block {
    if (!(bytes >= 0) || !Number.isFinite(bytes)) throw new Error(`native allocator: bad size ${bytes}`);
    if (bytes === 0) return { ptr: 0, bytes: 0, requested: 0 };
    const cls = sizeClass(bytes);
    const bin = this.bins.get(cls);
    let ptr: Ptr | undefined = bin?.pop();
    if (ptr !== undefined) {
      this.s.hits++;
      this.s.cachedBytes -= cls;
      this.s.cachedBlocks--;
    } else {
      this.s.misses++;
      ptr = this.device.rawMalloc(cls);
      if (!ptr) {
        this.releaseCache();
        this.s.cacheFlushes++;
        ptr = this.device.rawMalloc(cls);
      }
      if (!ptr) {
        const { free, total } = this.device.memInfo();
        throw new DeviceOutOfMemoryError(this.device.kind, bytes, free, total, this.s.allocatedBytes, this.s.cachedBytes);
      }
      this.s.rawAllocs++;
    }
    const blk: Block = { ptr, bytes: cls, requested: bytes };
    this.live.set(ptr, blk);
    this.s.allocatedBytes += cls;
    this.s.requestedBytes += bytes;
    this.s.liveBlocks++;
    this.s.peakAllocatedBytes = Math.max(this.s.peakAllocatedBytes, this.s.allocatedBytes);
    this.s.reservedBytes = this.s.allocatedBytes + this.s.cachedBytes;
    return blk;
  }

  free(blk: Block): void {
    if (blk.ptr === 0) return;
    const live = this.live.get(blk.ptr);
    if (!live) throw new Error(`native allocator: double free or foreign pointer ${blk.ptr}`);
    this.live.delete(blk.ptr);
    this.s.allocatedBytes -= live.bytes;
    this.s.requestedBytes -= live.requested;
    this.s.liveBlocks--;
    if (this.s.cachedBytes + live.bytes > this.maxCachedBytes) {
      this.device.rawFree(live.ptr);
      this.s.rawFrees++;
      this.s.reservedBytes = this.s.allocatedBytes + this.s.cachedBytes;
      return;
    }
    let bin = this.bins.get(live.bytes);
    if (!bin) this.bins.set(live.bytes, (bin = []));
    bin.push(live.ptr);
    this.s.cachedBytes += live.bytes;
    this.s.cachedBlocks++;
    this.s.reservedBytes = this.s.allocatedBytes + this.s.cachedBytes;
  }

  /** Return every cached block to the device. Live blocks are untouched. */
  releaseCache(): void {
    for (const [, bin] of this.bins) {
      for (const p of bin) {
        this.device.rawFree(p);
        this.s.rawFrees++;
      }
    }
    this.bins.clear();
    this.s.cachedBytes = 0;
    this.s.cachedBlocks = 0;
    this.s.reservedBytes = this.s.allocatedBytes;
  }

  /** Free everything, live blocks included (backend dispose). */
  releaseAll(): void {
    for (const [p] of this.live) {
      this.device.rawFree(p);
      this.s.rawFrees++;
    }
    this.live.clear();
    this.s.allocatedBytes = 0;
    this.s.requestedBytes = 0;
    this.s.liveBlocks = 0;
    this.releaseCache();
  }

  stats(): AllocatorStats {
    return { ...this.s };
  }
}
