/** Square: y = x^2 (one elementwise launch). */
import { Square } from '@tensorflow/tfjs';
import { UOP } from '../device/api';
import { unaryKernel } from './_shared';

export const squareConfig = unaryKernel(Square, UOP.SQUARE, 'same');
