import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatProblem, StoryboardError } from '../../src/errors.js';
import { loadStoryboard } from '../../src/storyboard/load.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'storyreel-read-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function refusal(file: string): Promise<string> {
  const error = await loadStoryboard(file, { cwd: dir }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(StoryboardError);
  return (error as StoryboardError).problems.map(formatProblem).join('\n');
}

describe('loadStoryboard refuses files that are not storyboards, naming the file', () => {
  it('a missing file', async () => {
    expect(await refusal('missing.yaml')).toBe('missing.yaml: no such file (check the path)');
  });

  it('a directory', async () => {
    expect(await refusal('.')).toBe('.: is a directory, not a file');
  });

  it('a file that is not UTF-8', async () => {
    await writeFile(path.join(dir, 'latin1.yaml'), Buffer.from('version: 1\ntitle: Caf\xe9\n', 'latin1'));
    expect(await refusal('latin1.yaml')).toBe('latin1.yaml: is not UTF-8 text (save it as UTF-8)');
  });

  it('a file over the size cap, without reading it into the parser', async () => {
    await writeFile(path.join(dir, 'big.yaml'), Buffer.alloc(1024 * 1024 + 1, 0x20));
    expect(await refusal('big.yaml')).toMatch(/^big\.yaml: the file is 1048577 bytes/);
  });

  it('reads a file relative to the given folder and reports positions with the name as given', async () => {
    await writeFile(path.join(dir, 'ok.yaml'), 'version: 1\nscenes:\n  - id: a\n    prompt: b\n');
    const loaded = await loadStoryboard('ok.yaml', { cwd: dir });
    expect(loaded.file).toBe('ok.yaml');
  });
});
