/** Minimum: y = min(a, b) (NaN propagates), numpy broadcasting (one strided launch). */
import { Minimum } from '@tensorflow/tfjs';
import { BOP } from '../device/api';
import { binaryKernel } from './_shared';

export const minimumConfig = binaryKernel(Minimum, BOP.MIN, 'upcast');
