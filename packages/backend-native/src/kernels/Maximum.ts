/** Maximum: y = max(a, b) (NaN propagates), numpy broadcasting (one strided launch). */
import { Maximum } from '@tensorflow/tfjs';
import { BOP } from '../device/api';
import { binaryKernel } from './_shared';

export const maximumConfig = binaryKernel(Maximum, BOP.MAX, 'upcast');
