import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';

/** Newest modification time (ms) of the files below `dir`, 0 when it does not exist. */
function newestMtime(dir: string): number {
  let newest = 0;
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true }) as string[];
  } catch {
    return 0;
  }
  for (const entry of entries) newest = Math.max(newest, statSync(path.join(dir, entry)).mtimeMs);
  return newest;
}

/**
 * Compiles src/ to dist/ so that end-to-end tests drive the same binary a user runs. Skipped when
 * dist/ is newer than every source file: concurrent test runs then do not rewrite the files that
 * another run's CLI children are loading.
 */
export default async function buildOnce(): Promise<void> {
  const stamp = path.join('dist', 'cli', 'main.js');
  // Written last: the schemas' precompiled validators (npm run build does the same two steps).
  const validators = path.join('dist', 'storyboard', 'validators', 'storyboard.schema.cjs');
  let built = 0;
  try {
    built = Math.min(statSync(stamp).mtimeMs, statSync(validators).mtimeMs);
  } catch {}
  const newest = Math.max(
    newestMtime('src'),
    newestMtime('schemas'),
    statSync('tsconfig.build.json').mtimeMs,
  );
  if (built > 0 && built >= newest) return;
  await execa('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  await execa('node', [path.join('dist', 'storyboard', 'precompile.js')], { stdio: 'inherit' });
}
