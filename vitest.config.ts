import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests run the shipped binary (bin/storyreel.js -> dist/); build it once first.
    globalSetup: ['test/helpers/build-once.ts'],
    // Generous: end-to-end tests render real films with real ffmpeg and child processes, and CI
    // machines are shared. A limit is a safety net against a hang, never a speed assertion.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Two cores: ffmpeg-heavy files in parallel compete for them; two workers keep runs steady.
    maxWorkers: 2,
  },
});
