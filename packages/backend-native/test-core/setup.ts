// Registers the native backend (the cpu device, or $SOFTCOT_SUITE_DEVICE: cuda in the GPU bundle) and makes it the
// only test environment, before the suites are declared (describeWithFlags reads the environments when tfjs-core's
// test files evaluate).
import { registerNativeBackend, type DeviceKind } from '../src/index';
// @ts-ignore: a dist path of tfjs-core without its own declaration entry point
import { setTestEnvs } from '@tensorflow/tfjs-core/dist/jasmine_util';

export const BACKEND = registerNativeBackend({ device: (process.env.SOFTCOT_SUITE_DEVICE ?? 'cpu') as DeviceKind });
setTestEnvs([{ name: BACKEND, backendName: BACKEND, isDataSync: true }]);
