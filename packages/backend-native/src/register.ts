/**
 * The one place where the native backend's kernels are registered with tfjs (the same configs for every backend
 * name: native-cpu, cuda, and any name a caller picks).
 *
 * KERNELS_REQUIRED is the set a Llama/Qwen forward + backward, rollout sampling, the RLOO loss and AdamW dispatch
 * (measured; docs/architecture.md). Every one of them must have a registration here (a CPU test checks it).
 */
import { getKernelsForBackend, registerKernel, type KernelConfig } from '@tensorflow/tfjs';
import { absConfig } from './kernels/Abs';
import { addConfig } from './kernels/Add';
import { addNConfig } from './kernels/AddN';
import { argMaxConfig } from './kernels/ArgMax';
import { batchMatMulConfig } from './kernels/BatchMatMul';
import { castConfig } from './kernels/Cast';
import { clipByValueConfig } from './kernels/ClipByValue';
import { concatConfig } from './kernels/Concat';
import { equalConfig } from './kernels/Equal';
import { expConfig } from './kernels/Exp';
import { fillConfig } from './kernels/Fill';
import { floorConfig } from './kernels/Floor';
import { floorDivConfig } from './kernels/FloorDiv';
import { gatherV2Config } from './kernels/GatherV2';
import { greaterConfig } from './kernels/Greater';
import { greaterEqualConfig } from './kernels/GreaterEqual';
import { identityConfig } from './kernels/Identity';
import { lessConfig } from './kernels/Less';
import { lessEqualConfig } from './kernels/LessEqual';
import { logConfig } from './kernels/Log';
import { logicalAndConfig } from './kernels/LogicalAnd';
import { logicalNotConfig } from './kernels/LogicalNot';
import { logicalOrConfig } from './kernels/LogicalOr';
import { maxConfig } from './kernels/Max';
import { maximumConfig } from './kernels/Maximum';
import { meanConfig } from './kernels/Mean';
import { minConfig } from './kernels/Min';
import { minimumConfig } from './kernels/Minimum';
import { multinomialConfig } from './kernels/Multinomial';
import { multiplyConfig } from './kernels/Multiply';
import { negConfig } from './kernels/Neg';
import { notEqualConfig } from './kernels/NotEqual';
import { onesLikeConfig } from './kernels/OnesLike';
import { packConfig } from './kernels/Pack';
import { padV2Config } from './kernels/PadV2';
import { powConfig } from './kernels/Pow';
import { rangeConfig } from './kernels/Range';
import { realDivConfig } from './kernels/RealDiv';
import { reluConfig } from './kernels/Relu';
import { reshapeConfig } from './kernels/Reshape';
import { expandDimsConfig } from './kernels/ExpandDims';
import { rsqrtConfig } from './kernels/Rsqrt';
import { selectConfig } from './kernels/Select';
import { sigmoidConfig } from './kernels/Sigmoid';
import { sliceConfig } from './kernels/Slice';
import { softmaxConfig } from './kernels/Softmax';
import { splitVConfig } from './kernels/SplitV';
import { stepConfig } from './kernels/Step';
import { sqrtConfig } from './kernels/Sqrt';
import { squareConfig } from './kernels/Square';
import { subConfig } from './kernels/Sub';
import { sumConfig } from './kernels/Sum';
import { tanhConfig } from './kernels/Tanh';
import { tileConfig } from './kernels/Tile';
import { topKConfig } from './kernels/TopK';
import { transposeConfig } from './kernels/Transpose';
import { unpackConfig } from './kernels/Unpack';
import { unsortedSegmentSumConfig } from './kernels/UnsortedSegmentSum';
import { zerosLikeConfig } from './kernels/ZerosLike';

export const KERNELS_REQUIRED = [
  'Add', 'AddN', 'ArgMax', 'BatchMatMul', 'Cast', 'ClipByValue', 'Concat', 'Exp', 'GatherV2', 'Greater',
  'GreaterEqual', 'Identity', 'LessEqual', 'Log', 'LogicalAnd', 'Max', 'Maximum', 'Mean', 'Minimum', 'Multinomial',
  'Multiply', 'Neg', 'PadV2', 'Pow', 'Range', 'RealDiv', 'Reshape', 'Rsqrt', 'Select', 'Sigmoid', 'Slice', 'Softmax',
  'SplitV', 'Sqrt', 'Square', 'Sub', 'Sum', 'Tile', 'TopK', 'Transpose', 'UnsortedSegmentSum', 'ZerosLike',
] as const;

export const KERNEL_CONFIGS: readonly KernelConfig[] = [
  absConfig, addConfig, addNConfig, argMaxConfig, batchMatMulConfig, castConfig, clipByValueConfig, concatConfig,
  equalConfig, expConfig, expandDimsConfig, fillConfig, floorConfig, floorDivConfig, gatherV2Config, greaterConfig, greaterEqualConfig, identityConfig,
  lessConfig, lessEqualConfig, logConfig, logicalAndConfig, logicalNotConfig, logicalOrConfig, maxConfig,
  maximumConfig, meanConfig, minConfig, minimumConfig, multinomialConfig, multiplyConfig, negConfig, notEqualConfig,
  onesLikeConfig, packConfig, padV2Config, powConfig, rangeConfig, realDivConfig,
  reluConfig, reshapeConfig, rsqrtConfig, selectConfig, sigmoidConfig, sliceConfig, softmaxConfig, splitVConfig,
  sqrtConfig, squareConfig, stepConfig, subConfig, sumConfig, tanhConfig, tileConfig, topKConfig, transposeConfig,
  unpackConfig, unsortedSegmentSumConfig, zerosLikeConfig,
];

/** Kernel names this package implements (static: no tfjs registry needed). */
export function registeredKernelNames(): string[] {
  return KERNEL_CONFIGS.map((k) => k.kernelName).sort();
}

/** Register every kernel for `backendName` (idempotent). */
export function registerNativeKernels(backendName: string): void {
  const have = new Set(getKernelsForBackend(backendName).map((k) => k.kernelName));
  for (const k of KERNEL_CONFIGS) {
    if (have.has(k.kernelName)) continue;
    registerKernel({ ...k, backendName });
  }
}
