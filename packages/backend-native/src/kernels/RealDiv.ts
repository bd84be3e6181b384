/** RealDiv: y = a / b (float32 result), numpy broadcasting (one strided launch). */
import { RealDiv } from '@tensorflow/tfjs';
import { BOP } from '../device/api';
import { binaryKernel } from './_shared';

export const realDivConfig = binaryKernel(RealDiv, BOP.DIV, 'float');
