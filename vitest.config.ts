import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Threads segfault once several files bundle workflow code (toolchain-notes.md 6): forks only.
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup-runtime.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    maxWorkers: 2,
  },
});
