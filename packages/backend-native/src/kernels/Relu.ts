/** Relu: y = max(x, 0) (one elementwise launch). */
import { Relu } from '@tensorflow/tfjs';
import { UOP } from '../device/api';
import { unaryKernel } from './_shared';

export const reluConfig = unaryKernel(Relu, UOP.RELU, 'same');
