/** Tanh: y = tanh x (one elementwise launch). */
import { Tanh } from '@tensorflow/tfjs';
import { UOP } from '../device/api';
import { unaryKernel } from './_shared';

export const tanhConfig = unaryKernel(Tanh, UOP.TANH, 'float');
