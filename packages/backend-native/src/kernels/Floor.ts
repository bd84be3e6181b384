/** Floor: y = floor x (one elementwise launch). */
import { Floor } from '@tensorflow/tfjs';
import { UOP } from '../device/api';
import { unaryKernel } from './_shared';

export const floorConfig = unaryKernel(Floor, UOP.FLOOR, 'same');
