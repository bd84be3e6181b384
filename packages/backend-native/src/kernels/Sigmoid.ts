/** Sigmoid: y = 1 / (1 + e^-x) (one elementwise launch). */
import { Sigmoid } from '@tensorflow/tfjs';
import { UOP } from '../device/api';
import { unaryKernel } from './_shared';

export const sigmoidConfig = unaryKernel(Sigmoid, UOP.SIGMOID, 'float');
