// Installs jasmine's globals (describe, it, expect, jasmine) before tfjs-core's test files evaluate: imported first.
// jasmine-core 4 is the line tfjs-core 4.22's jasmine_util.js loads (it requires lib/jasmine-core/jasmine.js,
// which jasmine-core 5+ no longer exports).
// @ts-ignore: jasmine-core ships no types
import jasmineRequire from 'jasmine-core/lib/jasmine-core/jasmine.js';

const jr = jasmineRequire as { core(r: unknown): { getEnv(): unknown }; interface(j: unknown, env: unknown): object };
const jasmine = jr.core(jr);
Object.assign(globalThis, jr.interface(jasmine, jasmine.getEnv()));
