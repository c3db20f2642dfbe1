/**
 * `npm run test:fast`: the pure and in-process tests (planner, storyboard, cut, journal, runner with
 * fakes, the RunComfy client against the mock server in process, single ffmpeg calls), for the edit-test
 * loop. A file is left to the full suite when it drives the CLI as a child process, a browser, or the
 * crash/fault matrices: found by what it imports, so a new end-to-end test needs no list to join.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defineConfig, mergeConfig } from 'vitest/config';
import full from './vitest.config.js';

const END_TO_END =
  /helpers\/cli\.js|support\/(renderers|torture|filesystems)\.js|from '\.\/browser\.js'|playwright-core/;
/** In process, but long by design (many seeds, many inputs): the full suite and the soak run them. */
const LONG = new Set([
  'test/reliability/faults.in-process.test.ts',
  'test/reliability/planner.property.test.ts',
]);

function endToEndFiles(): string[] {
  const files = readdirSync('test', { recursive: true }) as string[];
  return files
    .map((file) => path.join('test', file))
    .filter((file) => file.endsWith('.test.ts'))
    .filter((file) => LONG.has(file) || END_TO_END.test(readFileSync(file, 'utf8')));
}

export default mergeConfig(full, defineConfig({ test: { exclude: endToEndFiles() } }));
