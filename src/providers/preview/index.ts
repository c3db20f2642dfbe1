/**
 * `--provider preview`: a local animatic. Every request "completes" at once and downloads as a
 * placeholder clip of the exact duration and aspect ratio, one card per shot with its prompt, so a
 * storyboard's timing and structure can be checked without a token, a network or a cent.
 */
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { ProviderError } from '../../errors.js';
import { writeAtomically } from '../../files/atomic.js';
import { type SynthesisSpec, synthesizeClip } from '../../media/synth.js';
import type { KlingRequest } from '../../plan/types.js';
import type {
  CancelOutcome,
  DownloadedVideo,
  DownloadOptions,
  GenerationRequest,
  RemoteResult,
  RemoteState,
  VideoProvider,
} from '../provider.js';

export interface PreviewProviderOptions {
  /** Picture size for every clip; default Kling 3.0 standard's size for each aspect ratio. */
  size?: { width: number; height: number };
  /** Frames per second; default 24. */
  fps?: number;
}

export const PREVIEW_URL_SCHEME = 'preview://';

export function createPreviewProvider(options: PreviewProviderOptions = {}): VideoProvider {
  // In memory on purpose: a preview costs nothing, so after a restart a job is simply submitted again.
  const requests = new Map<string, GenerationRequest>();

  const recorded = (requestId: string): GenerationRequest => {
    const request = requests.get(requestId);
    if (!request) {
      throw new ProviderError(
        'not_found',
        `the preview provider has no request ${requestId}: previews live in memory only (was storyreel restarted?); submit it again`,
        { requestId },
      );
    }
    return request;
  };

  return {
    name: 'preview',
    label: 'the preview',
    free: true,

    async submit(request, call = {}) {
      call.onSent?.();
      const requestId = `preview-${randomUUID()}`;
      requests.set(requestId, structuredClone(request));
      return { requestId };
    },

    async status(requestId): Promise<RemoteState> {
      recorded(requestId);
      return { state: 'completed' };
    },

    async result(requestId): Promise<RemoteResult> {
      recorded(requestId);
      return { state: 'completed', videoUrl: `${PREVIEW_URL_SCHEME}${requestId}`, costUsd: 0 };
    },

    async cancel(requestId): Promise<CancelOutcome> {
      recorded(requestId);
      // Previews complete the moment they are submitted: there is never anything left to cancel.
      return 'not_cancellable';
    },

    async download(requestId, destination, downloadOptions: DownloadOptions = {}): Promise<DownloadedVideo> {
      const request = recorded(requestId);
      const spec = synthesisSpec(request.payload, options, request.scene, request.take);
      const signal = downloadOptions.signal ? { signal: downloadOptions.signal } : {};
      const bytes = await writeAtomically(destination, async (temporary) => {
        await synthesizeClip(temporary, spec, signal);
        await downloadOptions.verify?.(temporary);
        return (await stat(temporary)).size;
      });
      return { bytes, costUsd: 0 };
    },
  };
}

/** Pure: the placeholder clip a Kling request stands for, for the scene it is first used in. */
export function synthesisSpec(
  payload: KlingRequest,
  options: PreviewProviderOptions = {},
  scene?: GenerationRequest['scene'],
  take?: number,
): SynthesisSpec {
  const shots =
    payload.shot_type === 'customize' && payload.multi_prompt.length > 0
      ? payload.multi_prompt.map((shot) => ({ prompt: shot.prompt, duration: shot.duration }))
      : [{ prompt: payload.prompt, duration: payload.duration }];
  return {
    durationSec: payload.duration,
    aspectRatio: payload.aspect_ratio,
    sound: payload.sound,
    shots,
    // A retake of the same request would otherwise be the very same card: say which take it is.
    title: `preview${take !== undefined && take > 1 ? ` · take ${take}` : ''} · ${payload.aspect_ratio} · sound ${payload.sound ? 'on' : 'off'}`,
    ...(scene ? { scene } : {}),
    ...(options.size ? { size: options.size } : {}),
    ...(options.fps ? { fps: options.fps } : {}),
  };
}
