import { describe, expect, it } from 'vitest';
import { canCopy, normaliseRecipe, silenceToAdd } from '../../src/media/join.js';
import type { MediaInfo } from '../../src/media/probe.js';

const clip = (overrides: {
  width?: number;
  height?: number;
  fps?: number;
  audio?: boolean;
  extradata?: string;
}) =>
  ({
    durationSec: 5,
    bytes: 1,
    formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
    video: {
      codec: 'h264',
      profile: 'High',
      width: overrides.width ?? 1280,
      height: overrides.height ?? 720,
      fps: overrides.fps ?? 24,
      pixFmt: 'yuv420p',
      timeBase: '1/12288',
      extradataHash: overrides.extradata ?? 'SHA256:aa',
    },
    ...(overrides.audio === false
      ? {}
      : { audio: { codec: 'aac', profile: 'LC', sampleRate: 48_000, channels: 2 } }),
  }) satisfies MediaInfo;

describe('clips that differ only in having sound', () => {
  const silent = clip({ audio: false });

  it('are copied once the silent ones get a track like the others’', () => {
    expect(silenceToAdd([clip({}), silent, clip({}), silent])).toEqual({
      codec: 'aac',
      profile: 'LC',
      sampleRate: 48_000,
      channels: 2,
    });
  });

  it('are re-encoded when anything else differs, the sound clips disagree, or none has sound', () => {
    expect(silenceToAdd([clip({}), clip({ audio: false, width: 720, height: 1280 })])).toBeUndefined();
    expect(silenceToAdd([clip({}), clip({ audio: false, extradata: 'SHA256:bb' })])).toBeUndefined();
    const mono = { ...clip({}), audio: { codec: 'aac', profile: 'LC', sampleRate: 48_000, channels: 1 } };
    expect(silenceToAdd([clip({}), silent, mono])).toBeUndefined();
    const opus = { ...clip({}), audio: { codec: 'opus', sampleRate: 48_000, channels: 2 } };
    expect(silenceToAdd([opus, silent])).toBeUndefined();
    expect(silenceToAdd([silent, silent])).toBeUndefined();
    expect(silenceToAdd([clip({}), clip({})])).toBeUndefined();
  });
});

describe('which clips can be joined by stream copy', () => {
  it('copies clips that share every codec parameter', () => {
    expect(canCopy([clip({}), clip({}), clip({})])).toBe(true);
  });

  it('re-encodes when a size, frame rate, audio track or H.264 setup differs', () => {
    expect(canCopy([clip({}), clip({ width: 720, height: 1280 })])).toBe(false);
    expect(canCopy([clip({}), clip({ fps: 30 })])).toBe(false);
    expect(canCopy([clip({}), clip({ audio: false })])).toBe(false);
    expect(canCopy([clip({}), clip({ extradata: 'SHA256:bb' })])).toBe(false);
  });
});

describe('the common format of a normalised join', () => {
  it('takes the size and frame rate most clips have', () => {
    const recipe = normaliseRecipe(
      ['a.mp4', 'b.mp4', 'c.mp4'],
      [clip({ width: 720, height: 1280, fps: 30 }), clip({}), clip({ audio: false })],
      'film.mp4',
    );
    expect(recipe).toMatchObject({ width: 1280, height: 720, fps: 24 });
    expect(recipe.clips.map((c) => c.hasAudio)).toEqual([true, true, false]);
  });

  it('breaks a tie in favour of the opening clip', () => {
    const recipe = normaliseRecipe(['a', 'b'], [clip({ width: 960, height: 960 }), clip({})], 'film.mp4');
    expect(recipe).toMatchObject({ width: 960, height: 960 });
  });
});
