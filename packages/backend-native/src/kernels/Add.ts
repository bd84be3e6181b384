/** Add: y = a + b, numpy broadcasting (one strided launch). */
import { Add } from '@tensorflow/tfjs';
import { BOP } from '../device/api';
import { binaryKernel } from './_shared';

export const addConfig = binaryKernel(Add, BOP.ADD, 'upcast');
