/** Exp: y = e^x (one elementwise launch). */
import { Exp } from '@tensorflow/tfjs';
import { UOP } from '../device/api';
import { unaryKernel } from './_shared';

export const expConfig = unaryKernel(Exp, UOP.EXP, 'float');
