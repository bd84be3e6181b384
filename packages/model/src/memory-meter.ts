// Measured tensor memory: the bytes of distinct live backend buffers, and their peak.
//
// tf.memory().numBytes counts bytes per tensor *handle*, so a reshape, a clone or a tensor saved for the backward
// pass (all of which share their buffer) count twice or more; it overstates what a step holds. This meter counts
// buffers instead, by watching the backend's data storage: a buffer is counted from the moment the backend stores
// it until the backend deletes it (its last reference gone). That is what a device allocator would hold, without
// allocator rounding or caching. Works for the tfjs cpu and wasm backends and for backends whose entries carry
// `values`, `shape`+`dtype` or an allocator block.
import * as tf from '@tensorflow/tfjs';

interface Storage {
  set(dataId: object, value: unknown): void;
  delete(dataId: object): boolean;
}

function entryBytes(value: unknown): number {
  const v = value as { values?: unknown; shape?: number[]; dtype?: tf.DataType; blk?: { requested: number }; bytes?: number };
  if (typeof v.bytes === 'number') return v.bytes;
  if (v.blk) return v.blk.requested;
  if (ArrayBuffer.isView(v.values)) return v.values.byteLength;
  if (v.shape && v.dtype && v.dtype !== 'string' && v.dtype !== 'complex64')
    return v.shape.reduce((a, b) => a * b, 1) * (v.dtype === 'bool' ? 1 : 4);
  return 0;
}

export class MemoryMeter {
  /** Bytes in live buffers now. */
  live = 0;
  /** Highest `live` since start or the last resetPeak(). */
  peak = 0;
  private readonly sizes = new WeakMap<object, number>();
  private readonly storage: Storage;
  private readonly original: Pick<Storage, 'set' | 'delete'>;

  private constructor() {
    const backend = tf.backend() as unknown as { data?: Storage };
    if (!backend.data || typeof backend.data.set !== 'function')
      throw new Error(`MemoryMeter: backend "${tf.getBackend()}" has no data storage to watch`);
    this.storage = backend.data;
    this.original = { set: this.storage.set, delete: this.storage.delete };
    const meter = this;
    this.storage.set = function (dataId: object, value: unknown) {
      meter.release(dataId);
      const bytes = entryBytes(value);
      meter.sizes.set(dataId, bytes);
      meter.live += bytes;
      meter.peak = Math.max(meter.peak, meter.live);
      return meter.original.set.call(this, dataId, value);
    };
    this.storage.delete = function (dataId: object) {
      meter.release(dataId);
      return meter.original.delete.call(this, dataId);
    };
  }

  private release(dataId: object): void {
    const bytes = this.sizes.get(dataId);
    if (bytes !== undefined) {
      this.live -= bytes;
      this.sizes.delete(dataId);
    }
  }

  /**
   * Start watching the current backend. Buffers that exist already are not known to the meter: `live` starts at
   * 0 and counts what is allocated from now on (it goes negative when older buffers are freed).
   */
  static start(): MemoryMeter {
    return new MemoryMeter();
  }

  resetPeak(): void {
    this.peak = this.live;
  }

  /** Stop watching (restores the storage's own methods). */
  stop(): void {
    this.storage.set = this.original.set;
    this.storage.delete = this.original.delete;
  }
}

/** Run fn and return its result with the peak extra bytes it held in tensor buffers (above the bytes at the start). */
export function measurePeak<T>(fn: () => T): { result: T; peakBytes: number } {
  const meter = MemoryMeter.start();
  try {
    const result = fn();
    return { result, peakBytes: meter.peak };
  } finally {
    meter.stop();
  }
}
