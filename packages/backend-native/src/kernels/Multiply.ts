/** Multiply: y = a * b, numpy broadcasting (one strided launch). */
import { Multiply } from '@tensorflow/tfjs';
import { BOP } from '../device/api';
import { binaryKernel } from './_shared';

export const multiplyConfig = binaryKernel(Multiply, BOP.MUL, 'upcast');
