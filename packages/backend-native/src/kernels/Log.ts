/** Log: y = ln x (one elementwise launch). */
import { Log } from '@tensorflow/tfjs';
import { UOP } from '../device/api';
import { unaryKernel } from './_shared';

export const logConfig = unaryKernel(Log, UOP.LOG, 'float');
