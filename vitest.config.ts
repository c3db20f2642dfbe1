import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests run the shipped binary (bin/storyreel.js -> dist/); build it once first.
    globalSetup: ['test/helpers/build-once.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: ffmpeg-heavy files in parallel compete for them; two workers keep runs steady.
    maxWorkers: 2,
  },
});
