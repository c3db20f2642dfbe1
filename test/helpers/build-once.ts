import { execa } from 'execa';

/** Compiles src/ to dist/ so that end-to-end tests drive the same binary a user runs. */
export default async function buildOnce(): Promise<void> {
  await execa('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
