/** Less: y = a < b, numpy broadcasting (one strided launch). */
import { Less } from '@tensorflow/tfjs';
import { BOP } from '../device/api';
import { binaryKernel } from './_shared';

export const lessConfig = binaryKernel(Less, BOP.LESS, 'bool');
