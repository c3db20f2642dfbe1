/**
 * The pure core (storyboard -> plan -> cut) does no I/O: importing the planner or the cut loads no
 * `node:` module (but the hash) and nothing of the shell. Read statically from the sources, so a new
 * import that brings the disk, the network or the runner into the core fails here, not in a review.
 */
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderOf, fromSrc, importGraph, modulesOf } from '../helpers/import-graph.js';

const SHELL = ['run', 'providers', 'media', 'files', 'finish', 'report', 'cli'];
/**
 * A job key is a sha256 (plan/job-key.ts): computation, no disk, no network, no clock. A pure-JS
 * sha256 package would only hide the same module (@noble/hashes loads node:crypto itself on Node).
 */
const COMPUTATION_ONLY = new Set(['node:crypto']);

describe('the pure core (plan/, cut/)', () => {
  const arrows = importGraph([...modulesOf('plan'), ...modulesOf('cut')]);

  it('loads no node: module but the hash, however deep the import', () => {
    const builtins = new Set(builtinModules);
    const loaded = arrows
      .filter(({ specifier }) => specifier.startsWith('node:') || builtins.has(specifier))
      .filter(({ specifier }) => !COMPUTATION_ONLY.has(specifier))
      .map(({ file, specifier }) => `${fromSrc(file)} imports ${specifier}`);
    expect(loaded).toEqual([]);
  });

  it('imports nothing from the shell (run, providers, media, files, finish, report, cli)', () => {
    const upward = arrows
      .filter(({ resolved }) => resolved && SHELL.includes(folderOf(resolved)))
      .map(({ file, resolved }) => `${fromSrc(file)} imports ${fromSrc(resolved as string)}`);
    expect(upward).toEqual([]);
  });

  it('is read from real imports (the walk reaches the planner and the cut)', () => {
    const reached = new Set(arrows.flatMap(({ resolved }) => (resolved ? [fromSrc(resolved)] : [])));
    expect(reached).toContain(path.join('plan', 'planner.ts'));
    expect(reached).toContain(path.join('cut', 'build.ts'));
  });
});
