/** Rsqrt: y = 1 / sqrt x (one elementwise launch). */
import { Rsqrt } from '@tensorflow/tfjs';
import { UOP } from '../device/api';
import { unaryKernel } from './_shared';

export const rsqrtConfig = unaryKernel(Rsqrt, UOP.RSQRT, 'float');
