/** Temporary folders (removed when the test ends) with a storyboard of short scenes, and the paths a render writes. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { workspace as tempWorkspace, type Workspace } from '../../helpers/fixtures.js';

export type { Workspace } from '../../helpers/fixtures.js';

export function workspace(prefix = 'storyreel-reliability-'): Promise<Workspace> {
  return tempWorkspace(prefix);
}

export interface FilmSpec {
  /** File name without extension; names the output folder. Default 'film'. */
  name?: string;
  scenes: number;
  /** Prefix of every prompt, so that two films never share a job key. */
  prompt?: string;
  sound?: boolean;
  /** Scenes that are multi-shot (two 3 s segments, a 6 s clip), by index. */
  multiShot?: number[];
}

/** A storyboard of 3-second scenes (6 s for multi-shot ones); returns its path. */
export async function writeFilm(dir: string, spec: FilmSpec): Promise<string> {
  const prompt = spec.prompt ?? 'a scene';
  const lines = [
    'version: 1',
    'title: Reliability',
    'defaults:',
    `  sound: ${spec.sound ?? true}`,
    'scenes:',
  ];
  for (let index = 0; index < spec.scenes; index++) {
    lines.push(`  - id: s${index + 1}`, `    prompt: ${JSON.stringify(`${prompt} number ${index + 1}`)}`);
    if (spec.multiShot?.includes(index)) {
      lines.push('    multi_prompt:');
      for (const shot of ['wide', 'close']) lines.push(`      - prompt: ${shot} shot`, '        duration: 3');
    } else lines.push('    duration: 3');
  }
  const file = path.join(dir, `${spec.name ?? 'film'}.yaml`);
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

export function filmPath(out: string, name = 'film', variant = 'default'): string {
  return path.join(out, name, variant, 'film.mp4');
}

/** `render FILE --out OUT --json` with quick polls; extra arguments after. */
export function renderArgs(file: string, out: string, ...extra: string[]): string[] {
  return ['render', file, '--out', out, '--json', '--poll-interval', '0.05', ...extra];
}
