import { accessSync, constants } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MediaError } from '../../src/errors.js';
import { ffmpegPath, ffprobePath } from '../../src/media/binaries.js';
import { probe } from '../../src/media/probe.js';
import { scratchDir } from './media-helpers.js';

const directory = await scratchDir('storyreel-binaries-');
const saved = { FFMPEG_PATH: process.env.FFMPEG_PATH, FFPROBE_PATH: process.env.FFPROBE_PATH };

afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('ffmpeg and ffprobe binaries', () => {
  it('uses the bundled, executable binaries by default', () => {
    delete process.env.FFMPEG_PATH;
    delete process.env.FFPROBE_PATH;
    for (const binary of [ffmpegPath(), ffprobePath()]) {
      expect(binary).toContain('node_modules');
      expect(() => accessSync(binary, constants.X_OK)).not.toThrow();
    }
  });

  it('honours FFMPEG_PATH, and says clearly when it points nowhere', () => {
    process.env.FFMPEG_PATH = path.join(directory, 'no-such-ffmpeg');
    expect(() => ffmpegPath()).toThrow(MediaError);
    expect(() => ffmpegPath()).toThrow(
      /FFMPEG_PATH is set to ".*no-such-ffmpeg", which is not an executable file/,
    );
  });

  it('refuses an FFPROBE_PATH that is not executable, and probing says why', async () => {
    const notExecutable = path.join(directory, 'ffprobe.txt');
    await writeFile(notExecutable, 'not a program', { mode: 0o644 });
    process.env.FFPROBE_PATH = notExecutable;
    await expect(probe(notExecutable)).rejects.toThrow(/FFPROBE_PATH is set to .*not an executable file/);
  });

  it('returns an override that is a real executable', () => {
    const bundled = ffmpegPath();
    process.env.FFMPEG_PATH = bundled;
    expect(ffmpegPath()).toBe(bundled);
  });
});
