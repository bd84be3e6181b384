/** Neg: y = -x (one elementwise launch). */
import { Neg } from '@tensorflow/tfjs';
import { UOP } from '../device/api';
import { unaryKernel } from './_shared';

export const negConfig = unaryKernel(Neg, UOP.NEG, 'same');
