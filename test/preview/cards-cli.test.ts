/**
 * Preview cards as a user sees them after `render --provider preview`: each scene's cards in the
 * scene's own colour (neighbouring scenes never look like one), its shots in two shades of it.
 * Real CLI, real ffmpeg, pixels read from the clips it wrote.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { framePixels } from '../media/media-helpers.js';
import { workspace } from '../render/support.js';

const STORYBOARD = `version: 1
defaults:
  sound: false
scenes:
  - id: dawn
    prompt: The street at dawn
    duration: 3
  - id: noon
    prompt: The street at noon
    duration: 3
  - id: dusk
    prompt: The street at dusk
    multi_prompt:
      - prompt: Wide shot of the street at dusk
        duration: 3
      - prompt: Close on a lamp switching on
        duration: 3
`;

/** The colour of the card's top-left corner (background only: no text there). */
async function corner(clip: string, atSec: number): Promise<number[]> {
  const pixels = await framePixels(clip, atSec, { x: 4, y: 4, width: 4, height: 4 });
  const sums = [0, 0, 0];
  for (let index = 0; index < pixels.length; index++) sums[index % 3]! += pixels[index]!;
  return sums.map((sum) => sum / (pixels.length / 3));
}

const distance = (a: number[], b: number[]) => Math.hypot(...a.map((value, index) => value - b[index]!));

describe('preview cards', () => {
  it('are coloured by scene: neighbours differ, a scene keeps its hue across its shots', async () => {
    const ws = await workspace();
    const file = path.join(ws.dir, 'street.yaml');
    await writeFile(file, STORYBOARD);
    const run = await runCli(['render', file, '--provider', 'preview', '--out', ws.out]);
    expect(run.exitCode).toBe(0);
    const clips = path.join(ws.out, 'street', 'default', 'clips');
    const dawn = await corner(path.join(clips, '01-dawn.mp4'), 1);
    const noon = await corner(path.join(clips, '02-noon.mp4'), 1);
    const duskShot1 = await corner(path.join(clips, '03-dusk.mp4'), 1);
    const duskShot2 = await corner(path.join(clips, '03-dusk.mp4'), 4.5);
    // Two single-shot scenes side by side: they used to share the first shot's colour.
    expect(distance(dawn, noon)).toBeGreaterThan(40);
    expect(distance(noon, duskShot1)).toBeGreaterThan(40);
    // A cut inside the scene still shows, in a darker shade of the same colour.
    expect(distance(duskShot1, duskShot2)).toBeGreaterThan(8);
    for (const [index, channel] of duskShot2.entries()) {
      expect(Math.abs(channel - duskShot1[index]! * 0.72)).toBeLessThan(12);
    }
  });
});
