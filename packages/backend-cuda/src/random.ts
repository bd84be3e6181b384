/**
 * Random tensors generated on the device when the active backend is cuda (Philox4x32-10), and through tfjs's
 * host generators otherwise. Use these for the soft-token noise so it never round-trips through the host.
 */
import * as tf from '@tensorflow/tfjs';
import { CudaBackend } from './backend';
import { RANDOM_NORMAL, RANDOM_UNIFORM } from './kernels/RandomNormal';

const onCuda = (): boolean => tf.backend() instanceof CudaBackend;

export function randomNormal(shape: number[], mean = 0, stddev = 1, seed?: number): tf.Tensor {
  if (!onCuda()) return tf.randomNormal(shape, mean, stddev, 'float32', seed);
  return tf.engine().runKernel(RANDOM_NORMAL, {}, { shape, a: mean, b: stddev, seed } as never) as tf.Tensor;
}

export function randomUniform(shape: number[], minval = 0, maxval = 1, seed?: number): tf.Tensor {
  if (!onCuda()) return tf.randomUniform(shape, minval, maxval, 'float32', seed);
  return tf.engine().runKernel(RANDOM_UNIFORM, {}, { shape, a: minval, b: maxval, seed } as never) as tf.Tensor;
}
