import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120000,
    hookTimeout: 300000,
    reporters: ['default', './test/summary-reporter.ts'],
    // Tests run the TypeScript sources: bin/kvhdl.js (spawned by the CLI tests) loads them through
    // tsx instead of dist/ (test/package/ checks the build and the installed package).
    env: { KVHDL_FROM_SOURCE: '1' },
  },
});
