/** The import arrows of src/, read statically from the sources (for tests of which stage may load which). */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const SRC = path.resolve(import.meta.dirname, '../../src');

export interface ImportArrow {
  file: string;
  specifier: string;
  /** The .ts module a relative specifier names; absent for packages and node: modules. */
  resolved?: string;
}

/** The specifiers a module loads at run time: `import type` and `export type` load nothing. */
function runtimeImports(source: string): string[] {
  const statics = source.matchAll(
    /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm,
  );
  const dynamics = source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g);
  return [...statics, ...dynamics].map((match) => match[1] as string);
}

function arrowsOf(file: string): ImportArrow[] {
  return runtimeImports(readFileSync(file, 'utf8')).map((specifier) =>
    specifier.startsWith('.')
      ? { file, specifier, resolved: path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts') }
      : { file, specifier },
  );
}

/** The arrows of `entries` only. */
export function directImports(entries: string[]): ImportArrow[] {
  return entries.flatMap(arrowsOf);
}

/** Every arrow of every module `entries` load, however deep. */
export function importGraph(entries: string[]): ImportArrow[] {
  const arrows: ImportArrow[] = [];
  const seen = new Set<string>();
  const queue = [...entries];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const arrow of arrowsOf(file)) {
      arrows.push(arrow);
      if (arrow.resolved) queue.push(arrow.resolved);
    }
  }
  return arrows;
}

/** The .ts modules of src/<folder>/ (not of its subfolders). */
export function modulesOf(folder: string): string[] {
  return readdirSync(path.join(SRC, folder))
    .filter((name) => name.endsWith('.ts'))
    .map((name) => path.join(SRC, folder, name));
}

/** `plan/planner.ts`: a module named from src/. */
export const fromSrc = (file: string) => path.relative(SRC, file);

/** The top folder of src/ a module is in (`plan` for src/plan/planner.ts). */
export const folderOf = (file: string) => fromSrc(file).split(path.sep)[0] as string;
