/** FloorDiv: y = floor(a / b), numpy broadcasting, an int32 result as in tfjs (int32 inputs exactly; x / 0 gives 0). */
import { FloorDiv } from '@tensorflow/tfjs';
import { BOP } from '../device/api';
import { binaryKernel } from './_shared';

export const floorDivConfig = binaryKernel(FloorDiv, BOP.FLOOR_DIV, 'int32');
