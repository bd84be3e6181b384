/** GreaterEqual: y = a >= b, numpy broadcasting (one strided launch). */
import { GreaterEqual } from '@tensorflow/tfjs';
import { BOP } from '../device/api';
import { binaryKernel } from './_shared';

export const greaterEqualConfig = binaryKernel(GreaterEqual, BOP.GREATER_EQ, 'bool');
