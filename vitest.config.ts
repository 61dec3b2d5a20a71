import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests run real ffmpeg, real watchers and loopback HTTP on a shared 2-core machine:
    // generous timeouts keep them honest about behaviour, not speed (speed lives in bench/).
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
