/** FloorDiv: y = floor(a / b), numpy broadcasting; int32 stays int32 (exact; division by zero gives 0, as in tfjs). */
import { FloorDiv } from '@tensorflow/tfjs';
import { BOP } from '../device/api';
import { binaryKernel } from './_shared';

export const floorDivConfig = binaryKernel(FloorDiv, BOP.FLOOR_DIV);
