/**
 * How the user can run storyreel again from where they stand, for the commands storyreel prints
 * (the resume hint). `storyreel ...` is right only when that name is on the user's own PATH.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** bin/storyreel.js of this installation (this file is dist/cli/invocation.js). */
const BIN_SCRIPT = fileURLToPath(new URL('../../bin/storyreel.js', import.meta.url));

export function invocation(env: NodeJS.ProcessEnv, cwd: string): string[] {
  // Started by npx / npm exec / npm run: npm put node_modules/.bin on this process's PATH, not on
  // the user's shell's, so the bare name would not be found there.
  if (env.npm_command || env.npm_lifecycle_event === 'npx') return ['npx', 'storyreel'];
  if (onPath('storyreel', env.PATH)) return ['storyreel'];
  // npx finds it in a project that has it installed (or is storyreel itself); anywhere else npx
  // would look for a package of that name in the registry, so name this installation's script.
  if (projectHasStoryreel(cwd)) return ['npx', 'storyreel'];
  return ['node', BIN_SCRIPT];
}

function onPath(name: string, searchPath: string | undefined): boolean {
  return (searchPath ?? '').split(path.delimiter).some((dir) => {
    if (!dir) return false;
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** `npx storyreel` works here: a folder at or above `cwd` installs storyreel or is its package. */
function projectHasStoryreel(cwd: string): boolean {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'node_modules', '.bin', 'storyreel'))) return true;
    if (packageName(path.join(dir, 'package.json')) === 'storyreel') return true;
    if (path.dirname(dir) === dir) return false;
  }
}

function packageName(file: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name as string | undefined;
  } catch {
    return undefined;
  }
}
