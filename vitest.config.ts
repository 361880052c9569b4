import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    include: ['test/**/*.test.ts'],
    testTimeout: 120000,
    hookTimeout: 300000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
