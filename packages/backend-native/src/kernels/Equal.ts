/** Equal: y = a == b, numpy broadcasting (one strided launch). */
import { Equal } from '@tensorflow/tfjs';
import { BOP } from '../device/api';
import { binaryKernel } from './_shared';

export const equalConfig = binaryKernel(Equal, BOP.EQUAL, 'bool');
