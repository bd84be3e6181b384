/** Pow: y = a^b, numpy broadcasting (one strided launch). */
import { Pow } from '@tensorflow/tfjs';
import { BOP } from '../device/api';
import { binaryKernel } from './_shared';

export const powConfig = binaryKernel(Pow, BOP.POW, 'upcast');
