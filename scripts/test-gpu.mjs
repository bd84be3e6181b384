#!/usr/bin/env node
// npm run test:gpu — runs the cuda device's GPU checks when they can run here, else says why and exits 0.
//
//   1. the addons must be built (scripts/build-native.sh -> packages/backend-native/build/softcot_{cuda,cpu}.node;
//      the cpu device is the reference);
//   2. it must open a GPU (a CUDA driver and a device);
//   3. then the checks bundle is (re)made with scripts/gpu-pack.sh --bundle-only and run with this node.
// Extra arguments go to the checks: npm run test:gpu -- --only=prims-f32,gemm --quick
// SOFTCOT_GPU_REQUIRED=1 turns a skip into a failure (for a CI job that has a GPU).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const addonPath = process.env.SOFTCOT_CUDA_ADDON ?? join(root, 'packages', 'backend-native', 'build', 'softcot_cuda.node');
const required = process.env.SOFTCOT_GPU_REQUIRED === '1';

function skip(reason) {
  console.log(`test:gpu: SKIP: ${reason}`);
  process.exit(required ? 1 : 0);
}

if (!existsSync(addonPath)) skip(`the cuda addon is not built (${addonPath} missing); run scripts/build-native.sh cuda`);
let info;
try {
  info = createRequire(import.meta.url)(addonPath).init();
} catch (e) {
  skip(`the cuda addon does not load: ${e.message.split('\n')[0]}`);
}
if (!info.ok) skip(`${info.reason}; the GPU checks need an NVIDIA GPU (see docs/gpu.md for the .gpu/ workflow)`);

console.log(`test:gpu: ${info.name} (sm_${info.major}${info.minor}); bundling the checks`);
const pack = spawnSync('bash', [join(root, 'scripts', 'gpu-pack.sh'), '--bundle-only'], { stdio: 'inherit' });
if (pack.status !== 0) process.exit(pack.status ?? 1);
const env = { ...process.env, SOFTCOT_CUDA_ADDON: addonPath };
const run = spawnSync(process.execPath, [join(root, '.gpu', 'run.mjs'), ...process.argv.slice(2)], { stdio: 'inherit', env });
// tfjs-core's own test suite on the cuda backend
const suite = spawnSync(process.execPath, [join(root, '.gpu', 'core-suite.mjs')], { stdio: 'inherit', env: { ...env, SOFTCOT_SUITE_DEVICE: 'cuda' } });
process.exit(run.status || suite.status || 0);
