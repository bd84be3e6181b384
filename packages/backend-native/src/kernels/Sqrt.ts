/** Sqrt: y = sqrt x (one elementwise launch). */
import { Sqrt } from '@tensorflow/tfjs';
import { UOP } from '../device/api';
import { unaryKernel } from './_shared';

export const sqrtConfig = unaryKernel(Sqrt, UOP.SQRT, 'float');
