// Whether the native cpu device can run in this test process. The tests that need it skip, saying why, when the
// addon is not built -- unless SOFTCOT_NATIVE_REQUIRED=1 (CI builds the addon and sets it), where they fail.
import { describe } from 'vitest';
import { isNativeAvailable } from '../src/index';

export const nativeCpu = isNativeAvailable('cpu');
const required = process.env.SOFTCOT_NATIVE_REQUIRED === '1';
if (!nativeCpu.ok && !required) console.warn(`skipping the native-cpu tests: ${nativeCpu.reason}`);

/** describe() that runs when the cpu addon loads (or is required) and skips otherwise. */
export const describeNative = (nativeCpu.ok || required ? describe : describe.skip) as typeof describe;
