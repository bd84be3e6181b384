/** LogicalOr: y = a || b, numpy broadcasting (one strided launch). */
import { LogicalOr } from '@tensorflow/tfjs';
import { BOP } from '../device/api';
import { binaryKernel } from './_shared';

export const logicalOrConfig = binaryKernel(LogicalOr, BOP.LOGICAL_OR, 'bool');
