/**
 * tfjs-core's own op tests (@tensorflow/tfjs-core/dist/tests.js, jasmine) on the native-cpu backend, the way the
 * wasm and webgpu backends run them: every suite of an op whose kernels we register, minus named tests that need
 * a kernel or a dtype we do not implement (each exclusion says why).
 *
 * Bundled into one file by test/core-suite.test.ts (esbuild: tfjs-core's dist files are ES modules without
 * "type": "module") and run with node; prints "N passed, N failed" and exits non-zero on a failure.
 */
import './globals';
import { BACKEND } from './setup';
// @ts-ignore: a dist path of tfjs-core without its own declaration entry point
import { setupTestFilters } from '@tensorflow/tfjs-core/dist/jasmine_util';
// @ts-ignore: the suite itself (side effects only)
import '@tensorflow/tfjs-core/dist/tests';

/** Suites (describeWithFlags names) of the ops the native backend implements. */
export const SUITES = [
  'abs', 'add', 'addN', 'argmax', 'broadcastTo', 'clipByValue', 'clone', 'concat1d', 'concat2d', 'concat3d', 'div',
  'dot', 'equal', 'euclideanNorm', 'exp', 'expandDims', 'fill', 'floor', 'gather', 'greater', 'greaterEqual', 'less',
  'lessEqual', 'log', 'logSoftmax', 'logSumExp', 'logicalAnd', 'logicalNot', 'logicalOr', 'matmul', 'matmulBatch',
  'max', 'maximum', 'mean', 'min', 'minimum', 'moments', 'mul', 'multinomial', 'neg', 'norm', 'notEqual', 'ones',
  'onesLike', 'pad', 'pad 1d', 'pad 2d', 'pad 3d', 'pad 4d', 'pow', 'range', 'relu', 'rsqrt', 'sigmoid', 'slice1d',
  'slice2d', 'slice3d', 'slice4d', 'slice5d', 'slice6d', 'softmax', 'split', 'sqrt', 'square', 'squeeze', 'stack',
  'step kernel', 'sub', 'sum', 'tanh', 'tile', 'topk', 'transpose', 'unsortedSegmentSum', 'unstack', 'where',
  'zeros', 'zerosLike', 'logicalXor', 'dropout', 'movingAverage', 'ensureShape',
  // engine, tensor and autograd suites that run on the backend under test
  'tensor', 'tensor grad', 'tensor with 0 in shape', 'tensor dataSync', 'tensor arraySync', 'tensor.data', 'variable',
  'gradients', 'valueAndGradients', 'higher-order gradients', 'customGradient', 'tidy', 'memory', 'disposeVariables',
  'backpropagateGradients', 'Detects memory leaks in kernels',
];

/** Tests left out: [suite, test name or '' for any test whose name has the word, reason]. */
export const EXCLUDED: [string, string, string][] = [
  ['', 'complex', 'complex64 tensors are not stored by the native backend (nothing in softcot makes one)'],
  ['', 'string', 'string tensors are not stored by the native backend (tfjs keeps them on the host)'],
  ['add', 'upcasts when dtypes dont match', 'ends with a complex64 case'],
  ['sub', 'upcasts when dtypes dont match', 'ends with a complex64 case'],
  ['squeeze', 'default', 'mixes string and float tensors in one test'],
  ['squeeze', 'all ones', 'mixes string and float tensors in one test'],
  ['squeeze', 'specific dimension', 'mixes string and float tensors in one test'],
  ['squeeze', 'squeeze only ones', 'mixes string and float tensors in one test'],
  ['gather', 'throws when index is out of bound',
    'an out-of-range index gathers 0 (checking would read the indices back from the device; documented in docs/gpu.md)'],
];
const excludes = EXCLUDED.map(([suite, test]) => (suite ? `${suite} ${BACKEND} {} ${test}` : test));

declare const jasmine: {
  getEnv(): {
    addReporter(r: object): void;
    execute(): Promise<unknown>;
  };
};

setupTestFilters(
  SUITES.map((s) => ({ startsWith: `${s} ${BACKEND} `, excludes })),
  () => false,
);

const failures: string[] = [];
let passed = 0;
let failed = 0;
const env = jasmine.getEnv();
env.addReporter({
  specDone(r: { status: string; fullName: string; failedExpectations: { message: string }[] }) {
    if (r.status === 'passed') passed++;
    else if (r.status === 'failed') {
      failed++;
      failures.push(`${r.fullName}: ${r.failedExpectations.map((e) => e.message.split('\n')[0]).join(' | ')}`);
    }
  },
});
void env.execute().then(() => {
  for (const f of failures) console.log(`FAIL ${f}`);
  console.log(`tfjs-core op suite on ${BACKEND}: ${SUITES.length} suites, ${EXCLUDED.length} tests excluded`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
});
