import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 120_000,
    pool: 'forks',
    setupFiles: ['test/setup.ts'],
    // Every pass is verified as it runs, so a pass that breaks a graph fails naming itself.
    env: { SOLDER_VERIFY: '1' },
  },
});
