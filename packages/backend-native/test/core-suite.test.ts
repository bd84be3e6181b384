// tfjs-core's own op, tensor and autograd tests on native-cpu (test-core/suite.ts): bundled with esbuild (the
// suite's files are ES modules in a package without "type": "module") and run in a child process under jasmine.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { expect, it } from 'vitest';
import { describeNative } from './native-env';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(pkg, '..', '..');

describeNative('tfjs-core test suite', () => {
  it('passes on native-cpu for every suite of a registered kernel', async () => {
    const bundle = join(pkg, 'build', 'core-suite.mjs');
    await build({
      entryPoints: [join(pkg, 'test-core', 'suite.ts')],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      mainFields: ['module', 'main'], // one copy of tfjs-core: the ES modules the suite imports
      ignoreAnnotations: true, // tfjs-core marks its test files side-effect free
      nodePaths: [join(pkg, 'node_modules')], // jasmine-core 4, nested under this package
      tsconfig: join(root, 'tsconfig.json'),
      logLevel: 'error',
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
    const run = spawnSync(process.execPath, [bundle], { cwd: root, encoding: 'utf8', timeout: 600_000 });
    const out = `${run.stdout}${run.stderr}`;
    const m = /(\d+) passed, (\d+) failed/.exec(out);
    console.log(out.split('\n').filter((l) => l.startsWith('FAIL') || /passed|suites/.test(l)).join('\n'));
    expect(m, `no summary line in the suite's output:\n${out.slice(-2000)}`).not.toBeNull();
    expect(Number(m![2]), out.split('\n').filter((l) => l.startsWith('FAIL')).join('\n')).toBe(0);
    expect(Number(m![1])).toBeGreaterThan(1400);
    expect(run.status).toBe(0);
  });
});
