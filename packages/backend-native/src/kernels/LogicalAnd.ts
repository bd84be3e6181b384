/** LogicalAnd: y = a && b, numpy broadcasting (one strided launch). */
import { LogicalAnd } from '@tensorflow/tfjs';
import { BOP } from '../device/api';
import { binaryKernel } from './_shared';

export const logicalAndConfig = binaryKernel(LogicalAnd, BOP.LOGICAL_AND, 'bool');
