/** LogicalNot: y = !x. */
import { LogicalNot, type TensorInfo } from '@tensorflow/tfjs';
import { UOP } from '../device/api';
import { kernel } from './_shared';

export const logicalNotConfig = kernel(LogicalNot, ({ inputs }, b) => b.unary((inputs as { x: TensorInfo }).x, UOP.LOGICAL_NOT, 'bool'));
