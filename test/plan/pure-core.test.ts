/**
 * The pure core (storyboard -> plan -> cut) does no I/O: importing the planner or the cut loads no
 * `node:` module (but the hash) and nothing of the shell. Read statically from the sources, so a new
 * import that brings the disk, the network or the runner into the core fails here, not in a review.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');
const CORE = ['plan', 'cut'];
const SHELL = ['run', 'providers', 'media', 'files', 'finish', 'report', 'cli'];
/**
 * A job key is a sha256 (plan/job-key.ts): computation, no disk, no network, no clock. A pure-JS
 * sha256 package would only hide the same module (@noble/hashes loads node:crypto itself on Node).
 */
const COMPUTATION_ONLY = new Set(['node:crypto']);

/** The specifiers a module loads at run time: `import type` and `export type` load nothing. */
function runtimeImports(source: string): string[] {
  const statics = source.matchAll(
    /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm,
  );
  const dynamics = source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g);
  return [...statics, ...dynamics].map((match) => match[1] as string);
}

/** Every module `entries` load, transitively, as `importer -> specifier` arrows. */
function importGraph(entries: string[]): { file: string; specifier: string; resolved?: string }[] {
  const arrows: { file: string; specifier: string; resolved?: string }[] = [];
  const seen = new Set<string>();
  const queue = [...entries];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of runtimeImports(readFileSync(file, 'utf8'))) {
      if (!specifier.startsWith('.')) {
        arrows.push({ file, specifier });
        continue;
      }
      const resolved = path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts');
      arrows.push({ file, specifier, resolved });
      queue.push(resolved);
    }
  }
  return arrows;
}

function coreModules(): string[] {
  return CORE.flatMap((folder) =>
    readdirSync(path.join(SRC, folder))
      .filter((name) => name.endsWith('.ts'))
      .map((name) => path.join(SRC, folder, name)),
  );
}

const relative = (file: string) => path.relative(SRC, file);

describe('the pure core (plan/, cut/)', () => {
  const arrows = importGraph(coreModules());

  it('loads no node: module but the hash, however deep the import', () => {
    const builtins = new Set(builtinModules);
    const loaded = arrows
      .filter(({ specifier }) => specifier.startsWith('node:') || builtins.has(specifier))
      .filter(({ specifier }) => !COMPUTATION_ONLY.has(specifier))
      .map(({ file, specifier }) => `${relative(file)} imports ${specifier}`);
    expect(loaded).toEqual([]);
  });

  it('imports nothing from the shell (run, providers, media, files, finish, report, cli)', () => {
    const upward = arrows
      .filter(({ resolved }) => resolved && SHELL.includes(relative(resolved).split(path.sep)[0] as string))
      .map(({ file, resolved }) => `${relative(file)} imports ${relative(resolved as string)}`);
    expect(upward).toEqual([]);
  });

  it('is read from real imports (the walk reaches the planner and the cut)', () => {
    const reached = new Set(arrows.flatMap(({ resolved }) => (resolved ? [relative(resolved)] : [])));
    expect(reached).toContain(path.join('plan', 'planner.ts'));
    expect(reached).toContain(path.join('cut', 'build.ts'));
  });
});
