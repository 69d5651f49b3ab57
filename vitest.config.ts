import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Synthesizing stacks with bundled Lambdas and nag packs is CPU-heavy; give it room.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    globalSetup: ['test/helpers/global-setup.ts'],
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
  },
});
