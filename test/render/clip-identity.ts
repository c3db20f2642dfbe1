/** Telling clips apart in end-to-end tests: a mock whose every generation looks different, and packet hashes. */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { ffmpegPath } from '../../src/media/binaries.js';
import { synthesizeClip } from '../../src/media/synth.js';
import type { MockServer, MockServerOptions } from '../../src/providers/mock-server/server.js';
import { mockServer } from './support.js';

/**
 * The mock caches one clip per look (duration, aspect ratio, sound, shots); here each generation gets
 * a clip of its own, so a re-rendered scene differs from the first one under the same job key.
 */
export async function distinctClipsServer(dir: string, options: MockServerOptions = {}): Promise<MockServer> {
  const clipDir = path.join(dir, 'served');
  await mkdir(clipDir, { recursive: true });
  let served = 0;
  return mockServer({
    ...options,
    clipFor: async (payload) => {
      served += 1;
      const file = path.join(clipDir, `${served}.mp4`);
      await synthesizeClip(file, {
        durationSec: payload.duration,
        aspectRatio: payload.aspect_ratio,
        sound: payload.sound,
        size: { width: 160, height: 90 },
        title: `generation ${served}`,
      });
      return file;
    },
  });
}

/** The MD5 of every video packet, in order: which clips a stream-copied film is made of. */
export async function videoPackets(file: string): Promise<string[]> {
  const { stdout } = await execa(ffmpegPath(), [
    '-v',
    'error',
    '-i',
    file,
    '-map',
    '0:v',
    '-c',
    'copy',
    '-f',
    'framemd5',
    '-',
  ]);
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => line.split(',').at(-1)!.trim());
}

/** True when the variant's film.mp4 is exactly its clips, in this order. */
export async function filmMadeOf(variantDir: string, clipNames: string[]): Promise<boolean> {
  const film = await videoPackets(path.join(variantDir, 'film.mp4'));
  const clips = await Promise.all(
    clipNames.map((name) => videoPackets(path.join(variantDir, 'clips', name))),
  );
  return film.join() === clips.flat().join();
}
