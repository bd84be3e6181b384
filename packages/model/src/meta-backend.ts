// A tfjs backend that computes shapes and nothing else (PyTorch calls this the "meta" device). Running the real
// model, loss and optimizer code on it allocates every tensor the real run allocates, with its shape and dtype and
// no data, at no arithmetic cost: a memory plan at any scale (8B included) that follows the code exactly.
//
// Buffers: every kernel output is a new buffer, except Reshape, Identity, same-dtype Cast, ExpandDims and
// Squeeze, which share their input's buffer (as the cpu and cuda backends do). Reads return zeros, so code that
// reads values (a loss, a norm) runs; code whose control flow depends on values (sampling) must not be planned
// this way. Float tensors count `floatBytes` each (4, or 2 to model a backend that stores them in bf16).
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from './config';
import { CausalLM, isBf16StorableWeight, parameterSpecs } from './transformer';
import { UNPACK_BF16_KERNEL } from './bf16-weights';
import { backend_util, DataStorage, KernelBackend, type DataId, type DataType, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs';

export const META_BACKEND = 'softcot-meta';

interface MetaEntry {
  shape: number[];
  dtype: DataType;
  refCount: number;
  /** Bytes this buffer stands for (shape size × element bytes). */
  bytes: number;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export class MetaBackend extends KernelBackend {
  readonly data: DataStorage<MetaEntry>;
  constructor(readonly floatBytes: 4 | 2 = 4) {
    super();
    this.data = new DataStorage(this, tf.engine());
  }

  private entry(shape: number[], dtype: DataType, refCount = 1): MetaEntry {
    const per = dtype === 'float32' ? this.floatBytes : dtype === 'bool' ? 1 : 4;
    return { shape: [...shape], dtype, refCount, bytes: size(shape) * per };
  }

  override write(_values: unknown, shape: number[], dtype: DataType): DataId {
    const id = {};
    this.data.set(id, this.entry(shape, dtype));
    return id;
  }
  override move(dataId: DataId, _values: unknown, shape: number[], dtype: DataType, refCount: number): void {
    this.data.set(dataId, this.entry(shape, dtype, refCount));
  }
  makeOutput(shape: number[], dtype: DataType): TensorInfo {
    const dataId = {};
    this.data.set(dataId, this.entry(shape, dtype));
    return { dataId, shape, dtype };
  }
  /** A view of x's buffer under another shape/dtype (no new bytes). */
  view(x: TensorInfo, shape: number[] = x.shape, dtype: DataType = x.dtype): TensorInfo {
    this.incRef(x.dataId);
    return { dataId: x.dataId, shape, dtype };
  }
  /** Zeros, from one reused buffer per dtype and size (re-zeroed on every read): decoding reads [rows, V] logits every step. */
  override readSync(dataId: DataId): backend_util.BackendValues {
    const e = this.data.get(dataId);
    const n = size(e.shape);
    const key = `${e.dtype}:${n}`;
    let zeros = this.zeros.get(key);
    if (!zeros) {
      zeros = e.dtype === 'int32' ? new Int32Array(n) : e.dtype === 'bool' ? new Uint8Array(n) : new Float32Array(n);
      if (this.zeros.size >= 16) this.zeros.clear();
      this.zeros.set(key, zeros);
    } else zeros.fill(0);
    return zeros;
  }
  private readonly zeros = new Map<string, Int32Array | Uint8Array | Float32Array>();
  override async read(dataId: DataId): Promise<backend_util.BackendValues> {
    return this.readSync(dataId);
  }
  override refCount(dataId: DataId): number {
    return this.data.has(dataId) ? this.data.get(dataId).refCount : 0;
  }
  override incRef(dataId: DataId): void {
    this.data.get(dataId).refCount++;
  }
  override disposeData(dataId: DataId, force = false): boolean {
    if (this.data.has(dataId)) {
      const e = this.data.get(dataId);
      e.refCount--;
      if (!force && e.refCount > 0) return false;
      this.data.delete(dataId);
    }
    return true;
  }
  override numDataIds(): number {
    return this.data.numDataIds();
  }
  override memory() {
    return { unreliable: false };
  }
  override floatPrecision(): 32 {
    return 32;
  }
  override epsilon(): number {
    return 1e-7;
  }
  override dispose(): void {}
}

type Attrs = Record<string, unknown>;
type Shaper = (inputs: TensorInfo[], attrs: Attrs) => { shape: number[]; dtype?: DataType } | { shape: number[]; dtype?: DataType }[];

const broadcast = (xs: TensorInfo[]) => xs.map((x) => x.shape).reduce((a, b) => backend_util.assertAndGetBroadcastShape(a, b));
const reduced = (x: TensorInfo, axis: unknown, keepDims: unknown) => {
  const axes = tf.util.parseAxisParam(axis as number | number[], x.shape);
  const [out] = backend_util.computeOutAndReduceShapes(x.shape, axes);
  return keepDims ? backend_util.expandShapeToKeepDim(out, axes) : out;
};
const same: Shaper = ([x]) => ({ shape: x!.shape });
const elementwise: Shaper = (xs) => ({ shape: broadcast(xs), dtype: xs[0]!.dtype });
const comparison: Shaper = (xs) => ({ shape: broadcast(xs), dtype: 'bool' });

const UNARY = ['Abs', 'Ceil', 'ClipByValue', 'Cos', 'Elu', 'Erf', 'Exp', 'Expm1', 'Floor', 'IsNan', 'IsInf', 'Log', 'Log1p', 'LogicalNot',
  'Neg', 'Relu', 'Round', 'Rsqrt', 'Sigmoid', 'Sign', 'Sin', 'Softplus', 'Sqrt', 'Square', 'Step', 'Tanh', 'Reciprocal', 'ZerosLike', 'OnesLike', 'Softmax', 'LeakyRelu', 'Prelu'];
const BINARY = ['Add', 'Sub', 'Multiply', 'RealDiv', 'FloorDiv', 'Maximum', 'Minimum', 'Pow', 'Mod', 'SquaredDifference', 'LogicalAnd', 'LogicalOr'];
const COMPARE = ['Greater', 'GreaterEqual', 'Less', 'LessEqual', 'Equal', 'NotEqual'];
const REDUCE = ['Sum', 'Mean', 'Max', 'Min', 'Prod', 'All', 'Any'];

const SHAPERS: Record<string, Shaper> = {
  Cast: ([x], a) => ({ shape: x!.shape, dtype: a.dtype as DataType }),
  AddN: (xs) => ({ shape: xs[0]!.shape }),
  Select: ([, t]) => ({ shape: t!.shape, dtype: t!.dtype }),
  BatchMatMul: ([a, b], at) => {
    const m = at.transposeA ? a!.shape.at(-1)! : a!.shape.at(-2)!;
    const n = at.transposeB ? b!.shape.at(-2)! : b!.shape.at(-1)!;
    return { shape: [...backend_util.assertAndGetBroadcastShape(a!.shape.slice(0, -2), b!.shape.slice(0, -2)), m, n] };
  },
  ArgMax: ([x], a) => ({ shape: reduced(x!, a.axis, false), dtype: 'int32' }),
  ArgMin: ([x], a) => ({ shape: reduced(x!, a.axis, false), dtype: 'int32' }),
  Transpose: ([x], a) => ({ shape: (a.perm as number[]).map((p) => x!.shape[p]!), dtype: x!.dtype }),
  Concat: (xs, a) => {
    const nonEmpty = xs.filter((x) => size(x.shape) > 0);
    const parts = nonEmpty.length > 0 ? nonEmpty : xs;
    const axis = tf.util.parseAxisParam(a.axis as number, parts[0]!.shape)[0]!;
    return { shape: backend_util.computeOutShape(parts.map((x) => x.shape), axis), dtype: parts[0]!.dtype };
  },
  SplitV: ([x], a) => {
    const axis = tf.util.parseAxisParam(a.axis as number, x!.shape)[0]!;
    const splits = backend_util.prepareSplitSize(x as unknown as tf.Tensor, a.numOrSizeSplits as number | number[], axis);
    return splits.map((s) => ({ shape: x!.shape.map((d, i) => (i === axis ? s : d)), dtype: x!.dtype }));
  },
  Slice: ([x], a) => ({ shape: backend_util.slice_util.parseSliceParams(x!, a.begin as number[], a.size as number[])[1]!, dtype: x!.dtype }),
  PadV2: ([x], a) => ({ shape: x!.shape.map((d, i) => d + (a.paddings as number[][])[i]![0]! + (a.paddings as number[][])[i]![1]!), dtype: x!.dtype }),
  Tile: ([x], a) => ({ shape: x!.shape.map((d, i) => d * (a.reps as number[])[i]!), dtype: x!.dtype }),
  GatherV2: ([x, idx], a) => {
    const axis = tf.util.parseAxisParam(a.axis as number, x!.shape)[0]!;
    const info = backend_util.segment_util.collectGatherOpShapeInfo(x as unknown as tf.Tensor, idx as unknown as tf.Tensor, axis, (a.batchDims as number) ?? 0);
    return { shape: info.outputShape, dtype: x!.dtype };
  },
  UnsortedSegmentSum: ([x], a) => ({ shape: [a.numSegments as number, ...x!.shape.slice(1)], dtype: x!.dtype }),
  Fill: (_, a) => ({ shape: a.shape as number[], dtype: a.dtype as DataType }),
  Range: (_, a) => ({ shape: [Math.max(0, Math.ceil(((a.stop as number) - (a.start as number)) / (a.step as number)))], dtype: a.dtype as DataType }),
  Pack: (xs, a) => {
    const axis = a.axis as number;
    const shape = [...xs[0]!.shape];
    shape.splice(axis < 0 ? shape.length + axis + 1 : axis, 0, xs.length);
    return { shape, dtype: xs[0]!.dtype };
  },
  Unpack: ([x], a) => {
    const axis = tf.util.parseAxisParam(a.axis as number, x!.shape)[0]!;
    return Array.from({ length: x!.shape[axis]! }, () => ({ shape: x!.shape.filter((_, i) => i !== axis), dtype: x!.dtype }));
  },
  TopK: ([x], a) => {
    const shape = [...x!.shape.slice(0, -1), a.k as number];
    return [{ shape, dtype: x!.dtype }, { shape, dtype: 'int32' }];
  },
  Multinomial: ([x], a) => ({ shape: [x!.shape[0]!, a.numSamples as number], dtype: 'int32' }),
  RandomUniform: (_, a) => ({ shape: a.shape as number[], dtype: (a.dtype as DataType) ?? 'float32' }),
  RandomNormal: (_, a) => ({ shape: a.shape as number[], dtype: (a.dtype as DataType) ?? 'float32' }),
  [UNPACK_BF16_KERNEL]: ([x]) => ({ shape: [x!.shape[0]!, x!.shape[1]! * 2], dtype: 'float32' }),
};
for (const k of UNARY) SHAPERS[k] ??= same;
for (const k of BINARY) SHAPERS[k] = elementwise;
for (const k of COMPARE) SHAPERS[k] = comparison;
for (const k of ['LogicalAnd', 'LogicalOr']) SHAPERS[k] = comparison;
for (const k of ['IsNan', 'IsInf', 'LogicalNot']) SHAPERS[k] = ([x]) => ({ shape: x!.shape, dtype: 'bool' });
for (const k of REDUCE) SHAPERS[k] = ([x], a) => ({ shape: reduced(x!, a.axis ?? a.reductionIndices, a.keepDims), dtype: k === 'All' || k === 'Any' ? 'bool' : x!.dtype });

/** Kernels that return a view of their input. */
const VIEWS: Record<string, (x: TensorInfo, a: Attrs) => number[]> = {
  Reshape: (x, a) => tf.util.inferFromImplicitShape(a.shape as number[], size(x.shape)),
  Identity: (x) => x.shape,
  ExpandDims: (x, a) => {
    const shape = [...x.shape];
    const axis = a.dim as number;
    shape.splice(axis < 0 ? shape.length + axis + 1 : axis, 0, 1);
    return shape;
  },
  Squeeze: (x, a) => tf.util.squeezeShape(x.shape, a.axis as number[]).newShape,
};

const REDUCTIONS = new Set([...REDUCE, 'ArgMax', 'ArgMin']);

function needsTranspose(x: TensorInfo, a: Attrs): boolean {
  const axes = tf.util.parseAxisParam((a.axis ?? a.reductionIndices) as number | number[], x.shape);
  return backend_util.getAxesPermutation(axes, x.shape.length) !== null;
}

let registered = false;

/** Register the meta backend (once) under META_BACKEND; select it with tf.setBackend to plan. */
export function registerMetaBackend(floatBytes: 4 | 2 = 4): void {
  if (tf.findBackend(META_BACKEND)) tf.removeBackend(META_BACKEND);
  tf.registerBackend(META_BACKEND, () => new MetaBackend(floatBytes), -1);
  if (registered) return;
  registered = true;
  const configs: KernelConfig[] = [];
  for (const [kernelName, shaper] of Object.entries(SHAPERS))
    configs.push({
      kernelName,
      backendName: META_BACKEND,
      kernelFunc: ({ inputs, attrs, backend }) => {
        const b = backend as MetaBackend;
        const xs = Object.values(inputs) as TensorInfo[];
        if (kernelName === 'Cast' && xs[0]!.dtype === attrs?.dtype) return b.view(xs[0]!);
        const out = shaper(xs, attrs as Attrs);
        const make = (o: { shape: number[]; dtype?: DataType }) => b.makeOutput(o.shape, o.dtype ?? xs[0]?.dtype ?? 'float32');
        // A reduction over axes that are not innermost transposes its input first (cpu and cuda both do): a
        // scratch buffer of the input's size, alive while the output is made.
        const scratch = REDUCTIONS.has(kernelName) && needsTranspose(xs[0]!, attrs as Attrs) ? b.makeOutput(xs[0]!.shape, xs[0]!.dtype) : null;
        const result = Array.isArray(out) ? out.map(make) : make(out);
        if (scratch) b.disposeData(scratch.dataId);
        return result;
      },
    });
  for (const [kernelName, shapeOf] of Object.entries(VIEWS))
    configs.push({
      kernelName,
      backendName: META_BACKEND,
      kernelFunc: ({ inputs, attrs, backend }) => {
        const x = Object.values(inputs)[0] as TensorInfo;
        return (backend as MetaBackend).view(x, shapeOf(x, attrs as Attrs));
      },
    });
  for (const c of configs) tf.registerKernel(c);
}

/**
 * A model with `config`'s parameters on the current (meta) backend, without generating any values (initModel
 * draws its weights on the host). `frozenBf16` stores the bf16-storable matrices packed, as loadModel does.
 */
export function shapeOnlyModel(config: ModelConfig, opts: { frozenBf16?: boolean } = {}): CausalLM {
  const tensors = new Map<string, tf.Tensor>();
  for (const spec of parameterSpecs(config))
    tensors.set(
      spec.name,
      opts.frozenBf16 && isBf16StorableWeight(spec.name) ? tf.fill([spec.shape[0]!, spec.shape[1]! / 2], 0, 'int32') : tf.fill(spec.shape, 0),
    );
  return new CausalLM(config, tensors);
}
