/** LessEqual: y = a <= b, numpy broadcasting (one strided launch). */
import { LessEqual } from '@tensorflow/tfjs';
import { BOP } from '../device/api';
import { binaryKernel } from './_shared';

export const lessEqualConfig = binaryKernel(LessEqual, BOP.LESS_EQ, 'bool');
