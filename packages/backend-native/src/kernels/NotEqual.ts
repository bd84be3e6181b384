/** NotEqual: y = a != b, numpy broadcasting (one strided launch). */
import { NotEqual } from '@tensorflow/tfjs';
import { BOP } from '../device/api';
import { binaryKernel } from './_shared';

export const notEqualConfig = binaryKernel(NotEqual, BOP.NOT_EQUAL, 'bool');
