/** Greater: y = a > b, numpy broadcasting (one strided launch). */
import { Greater } from '@tensorflow/tfjs';
import { BOP } from '../device/api';
import { binaryKernel } from './_shared';

export const greaterConfig = binaryKernel(Greater, BOP.GREATER, 'bool');
