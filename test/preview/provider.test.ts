import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/errors.js';
import { probe } from '../../src/media/probe.js';
import { verifyClip } from '../../src/media/verify.js';
import { KLING_MODEL_ID, type KlingRequest } from '../../src/plan/types.js';
import { createPreviewProvider, synthesisSpec } from '../../src/providers/preview/index.js';
import { averageColour, SMALL, scratchDir } from '../media/media-helpers.js';

const directory = await scratchDir('storyreel-preview-');

const multiShot: KlingRequest = {
  prompt: '',
  negative_prompt: '',
  duration: 3,
  aspect_ratio: '16:9',
  cfg_scale: 0.5,
  sound: true,
  shot_type: 'customize',
  multi_prompt: [
    { prompt: 'A cyclist leaves at dawn: "let\'s go", 100%', duration: 1 },
    { prompt: 'Leaves swirl behind the wheel', duration: 2 },
  ],
};

describe('the preview provider', () => {
  it('runs the whole submit, status, result, download cycle into a verified clip', async () => {
    const provider = createPreviewProvider({ size: SMALL });
    const { requestId } = await provider.submit({ model: KLING_MODEL_ID, payload: multiShot });
    expect(requestId).toMatch(/^preview-/);
    expect(await provider.status(requestId)).toEqual({ state: 'completed' });
    const result = await provider.result(requestId);
    expect(result).toMatchObject({ state: 'completed', videoUrl: `preview://${requestId}`, costUsd: 0 });

    const destination = path.join(directory, 'cycle', '01-dawn.mp4');
    const verified: string[] = [];
    const downloaded = await provider.download(requestId, destination, {
      verify: async (temporary) => {
        expect(existsSync(destination)).toBe(false);
        expect(path.dirname(temporary)).toBe(path.dirname(destination));
        verified.push(temporary);
        await verifyClip(temporary, { durationSec: 3, sound: true, aspectRatio: '16:9' });
      },
    });
    expect(verified).toHaveLength(1);
    expect(downloaded.bytes).toBe((await stat(destination)).size);
    const info = await probe(destination);
    expect(info.durationSec).toBeCloseTo(3, 2);
    expect(info.audio).toBeDefined();
    // Two shots, two cards: the picture changes at the 1 s boundary.
    const [first, second] = await Promise.all([
      averageColour(destination, 0.5),
      averageColour(destination, 2),
    ]);
    expect(first).not.toEqual(second);
    expect(await readdir(path.dirname(destination))).toEqual(['01-dawn.mp4']);
  });

  it('keeps nothing when verification rejects the clip', async () => {
    const provider = createPreviewProvider({ size: SMALL });
    const { requestId } = await provider.submit({
      model: KLING_MODEL_ID,
      payload: { ...multiShot, sound: false },
    });
    const folder = path.join(directory, 'rejected');
    const failure = provider.download(requestId, path.join(folder, 'clip.mp4'), {
      verify: (temporary) => verifyClip(temporary, { durationSec: 3, sound: true }).then(() => undefined),
    });
    await expect(failure).rejects.toThrow(/no audio stream/);
    expect(await readdir(folder)).toEqual([]);
  });

  it('does not know requests it did not record (for example after a restart)', async () => {
    const before = createPreviewProvider({ size: SMALL });
    const { requestId } = await before.submit({ model: KLING_MODEL_ID, payload: multiShot });
    const after = createPreviewProvider({ size: SMALL });
    const calls = [
      after.status(requestId),
      after.result(requestId),
      after.cancel(requestId),
      after.download(requestId, path.join(directory, 'never.mp4')),
    ];
    for (const call of calls) {
      await expect(call).rejects.toBeInstanceOf(ProviderError);
      await expect(call).rejects.toMatchObject({ kind: 'not_found' });
    }
    expect(existsSync(path.join(directory, 'never.mp4'))).toBe(false);
  });

  it('has nothing to cancel: a preview is complete the moment it is submitted', async () => {
    const provider = createPreviewProvider({ size: SMALL });
    const { requestId } = await provider.submit({ model: KLING_MODEL_ID, payload: multiShot });
    expect(await provider.cancel(requestId)).toBe('not_cancellable');
  });
});

describe('the clip a request stands for', () => {
  it('shows each multi_prompt segment as a shot', () => {
    expect(synthesisSpec(multiShot)).toMatchObject({
      durationSec: 3,
      aspectRatio: '16:9',
      sound: true,
      shots: multiShot.multi_prompt,
    });
  });

  it('shows an intelligent scene as one shot with its prompt', () => {
    const spec = synthesisSpec({
      ...multiShot,
      shot_type: 'intelligent',
      prompt: 'one long take',
      duration: 5,
      multi_prompt: [],
    });
    expect(spec.shots).toEqual([{ prompt: 'one long take', duration: 5 }]);
  });
});
