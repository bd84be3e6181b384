/** Sub: y = a - b, numpy broadcasting (one strided launch). */
import { Sub } from '@tensorflow/tfjs';
import { BOP } from '../device/api';
import { binaryKernel } from './_shared';

export const subConfig = binaryKernel(Sub, BOP.SUB, 'upcast');
