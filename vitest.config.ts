import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// Tests run against the TypeScript sources, so `npm test` needs no build step.
const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@softcot/base': src('base'),
      '@softcot/model': src('model'),
      '@softcot/rewards': src('rewards'),
      '@softcot/data': src('data'),
      '@softcot/mixer': src('mixer'),
      '@softcot/rollout': src('rollout'),
      '@softcot/trainer': src('trainer'),
      '@softcot/eval': src('eval'),
      '@softcot/backend-cuda': src('backend-cuda'),
      softcot: src('softcot'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    exclude: ['**/*.gpu.test.ts', '**/node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
