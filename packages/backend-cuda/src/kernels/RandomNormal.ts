/**
 * SoftcotRandomNormal / SoftcotRandomUniform: device-side Philox samples (tfjs's own randomNormal is generated on
 * the host). Custom kernels, called through randomNormal()/randomUniform() in ../random.ts.
 *   normal:  y = mean + stddev * z, z ~ N(0, 1) by Box-Muller;   uniform: y = minval + (maxval - minval) u
 * With a seed, offset 0 (reproducible, like tf.randomNormal(seed)); without, the backend's stream advances.
 */
import type { DataType, TensorInfo } from '@tensorflow/tfjs';
import { notImplemented } from '../backend';
import { RNG } from '../device/api';
import { sizeOf } from '../geom';
import { seedToInt } from '../rng';
import { kernel } from './_shared';

export const RANDOM_NORMAL = 'SoftcotRandomNormal';
export const RANDOM_UNIFORM = 'SoftcotRandomUniform';

export interface RandomAttrs {
  shape: number[];
  a: number;
  b: number;
  dtype?: DataType;
  seed?: number;
}

function make(name: string, dist: number) {
  return kernel(name, ({ attrs }, be): TensorInfo => {
    const { shape, a, b, seed, dtype = 'float32' } = attrs as unknown as RandomAttrs;
    if (dtype !== 'float32') throw notImplemented(name, `dtype ${dtype}`);
    const n = sizeOf(shape);
    const out = be.makeOutput(shape, 'float32');
    let s: number, off: number;
    if (seed === undefined) {
      s = be.rngSeed;
      off = be.rngOffset;
      be.rngOffset += Math.ceil(n / 4) + 1;
    } else {
      s = seedToInt(seed);
      off = 0;
    }
    be.device.random(be.ptr(out), be.dt(out), n, dist as 0 | 1, s, off, a, b);
    be.launched();
    return out;
  });
}

export const randomNormalConfig = make(RANDOM_NORMAL, RNG.NORMAL);
export const randomUniformConfig = make(RANDOM_UNIFORM, RNG.UNIFORM);
