/** Abs: y = |x| (one elementwise launch). */
import { Abs } from '@tensorflow/tfjs';
import { UOP } from '../device/api';
import { unaryKernel } from './_shared';

export const absConfig = unaryKernel(Abs, UOP.ABS, 'same');
