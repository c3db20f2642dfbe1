/**
 * A variant folder as the runner leaves it: real clips (placeholder clips made by ffmpeg), a real
 * joined film, and the FilmReport describing them. Small and short so the tests stay quick.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { joinClips } from '../../src/media/join.js';
import { synthesizeClip } from '../../src/media/synth.js';
import type { AspectRatio, Shot } from '../../src/plan/types.js';
import type { FilmReport, SceneReport } from '../../src/report/types.js';

export const XSS_PROMPT = 'A neon sign reading <script>alert("xss")</script> & <img src=x onerror=alert(1)>';

const SMALL_SIZES: Record<AspectRatio, { width: number; height: number }> = {
  '16:9': { width: 320, height: 180 },
  '9:16': { width: 180, height: 320 },
  '1:1': { width: 240, height: 240 },
};

export interface SceneSpec {
  scene: string;
  prompt: string;
  shots: Shot[];
  status?: SceneReport['status'];
  reused?: boolean;
  error?: SceneReport['error'];
}

export const SCENES: SceneSpec[] = [
  {
    scene: 'street',
    prompt: 'Autumn suburban street with Craftsman houses, golden hour, 35mm film',
    shots: [
      { prompt: 'Wide establishing shot of the leafy neighbourhood', duration: 3 },
      { prompt: 'Low tracking shot following a wobbling pink Acme Cruiser', duration: 4 },
    ],
  },
  {
    scene: 'closeup',
    prompt: "Close-up of the girl's face, braids in the wind, she breaks into laughter",
    shots: [
      { prompt: "Close-up of the girl's face, braids in the wind, she breaks into laughter", duration: 3 },
    ],
    reused: true,
  },
  { scene: 'neon', prompt: XSS_PROMPT, shots: [{ prompt: XSS_PROMPT, duration: 3 }] },
];

export const FAILED_SCENE: SceneSpec = {
  scene: 'finale',
  prompt: 'The family rides into the sunset',
  shots: [{ prompt: 'The family rides into the sunset', duration: 5 }],
  status: 'failed',
  error: { kind: 'generation', message: 'Generation failed: <content policy> "violence" detected' },
};

export function sceneReport(spec: SceneSpec, index: number, aspectRatio: AspectRatio = '16:9'): SceneReport {
  const duration = spec.shots.reduce((sum, shot) => sum + shot.duration, 0);
  const status = spec.status ?? 'verified';
  const name = `${String(index + 1).padStart(2, '0')}-${spec.scene}`;
  return {
    index,
    scene: spec.scene,
    key: `${index}f3a9c0d5e7b1`.padEnd(64, 'a'),
    ...(status === 'verified' || spec.error ? { requestId: `req-${spec.scene}-0001` } : {}),
    status,
    reused: spec.reused ?? false,
    ...(status === 'verified' ? { clip: `clips/${name}.mp4` } : {}),
    prompt: spec.prompt,
    shots: spec.shots.map((shot) => ({ ...shot })),
    duration,
    aspectRatio,
    sound: true,
    estimatedCost: duration * 0.084,
    ...(status === 'verified' && !spec.reused ? { actualCost: duration * 0.084 } : {}),
    timings: {
      submittedAt: '2025-03-01T14:00:00.000Z',
      ...(status === 'verified' ? { completedAt: '2025-03-01T14:02:14.000Z' } : {}),
    },
    ...(spec.error ? { error: spec.error } : {}),
  };
}

export function filmReport(scenes: SceneReport[], overrides: Partial<FilmReport> = {}): FilmReport {
  const complete = scenes.every((scene) => scene.status === 'verified');
  const estimatedTotal = scenes.reduce((sum, scene) => sum + scene.estimatedCost, 0);
  return {
    version: 1,
    storyboard: 'ad',
    file: 'storyboards/ad.yaml',
    title: 'Autumn bike ride',
    variant: 'default',
    provider: 'preview',
    status: complete ? 'complete' : 'incomplete',
    startedAt: '2025-03-01T14:00:00.000Z',
    finishedAt: '2025-03-01T14:03:30.000Z',
    ...(complete
      ? {
          film: {
            path: 'film.mp4',
            duration: scenes.reduce((sum, scene) => sum + scene.duration, 0),
            bytes: 1,
          },
        }
      : {}),
    scenes,
    cost: {
      estimatedTotal,
      estimatedThisRun: scenes
        .filter((scene) => !scene.reused)
        .reduce((sum, scene) => sum + scene.estimatedCost, 0),
    },
    ...overrides,
  };
}

/** Writes real clips for the rendered scenes (and the film when every scene rendered). */
export async function makeVariantFolder(
  variantDir: string,
  options: { specs?: SceneSpec[]; aspectRatio?: AspectRatio; overrides?: Partial<FilmReport> } = {},
): Promise<FilmReport> {
  const aspectRatio = options.aspectRatio ?? '16:9';
  const scenes = (options.specs ?? SCENES).map((spec, index) => sceneReport(spec, index, aspectRatio));
  await mkdir(path.join(variantDir, 'clips'), { recursive: true });
  for (const [index, scene] of scenes.entries()) {
    if (!scene.clip) continue;
    await synthesizeClip(path.join(variantDir, scene.clip), {
      scene: { id: scene.scene, number: index + 1 },
      durationSec: scene.duration,
      aspectRatio,
      sound: scene.sound,
      shots: scene.shots,
      title: scene.scene,
      size: SMALL_SIZES[aspectRatio],
      fps: 12,
    });
  }
  const report = filmReport(scenes, options.overrides);
  if (report.film) {
    const clips = scenes.map((scene) => path.join(variantDir, scene.clip!));
    const joined = await joinClips(clips, path.join(variantDir, report.film.path));
    report.film.duration = joined.durationSec;
  }
  return report;
}
