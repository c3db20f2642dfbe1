/**
 * Placeholder clips: what the preview provider "generates" and what the mock server serves. Each clip
 * has the exact duration and aspect ratio asked, one card per shot showing its prompt, and an audio
 * track only when sound is on, so every later stage (verify, join, report) sees realistic files.
 */
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { makeScratchFolder, writeAtomically } from '../files/atomic.js';
import type { AspectRatio } from '../plan/types.js';
import { type CardLayout, type CardScene, layoutCards, type TextMetrics, textMetrics } from './cards.js';
import { type CardText, type SynthCard, synthesisArgs } from './recipes.js';
import { runFfmpeg } from './run.js';

export interface SynthesisSpec {
  durationSec: number;
  aspectRatio: AspectRatio;
  sound: boolean;
  /** One card per shot; without shots the clip is a single card. */
  shots?: { prompt: string; duration: number }[];
  /** Shown at the bottom of every card. */
  title?: string;
  /** The scene the clip is for: named on every card, and it picks the cards' colour. */
  scene?: CardScene;
  /** Defaults to Kling 3.0 standard's size for the aspect ratio (see KLING_STANDARD_SIZES). */
  size?: { width: number; height: number };
  /** Defaults to 24. */
  fps?: number;
  /** A TTF font for the cards' text; default DejaVu Sans (findFont). */
  fontFile?: string;
}

/** 720p, as runcomfy-api.md assumes for Kling 3.0 standard (unconfirmed: verify never relies on it). */
export const KLING_STANDARD_SIZES: Record<AspectRatio, { width: number; height: number }> = {
  '16:9': { width: 1280, height: 720 },
  '9:16': { width: 720, height: 1280 },
  '1:1': { width: 960, height: 960 },
};

export const DEFAULT_FPS = 24;

/** Writes a placeholder clip to `destination` atomically (temporary file, then rename). */
export async function synthesizeClip(
  destination: string,
  spec: SynthesisSpec,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  assertSpec(spec);
  const { width, height } = spec.size ?? KLING_STANDARD_SIZES[spec.aspectRatio];
  const fps = spec.fps ?? DEFAULT_FPS;
  const metrics = textMetrics(width, height);
  const layouts = layoutCards(spec.durationSec, spec.shots ?? [], metrics, {
    ...(spec.title ? { title: spec.title } : {}),
    ...(spec.scene ? { scene: spec.scene } : {}),
  });
  const fontFile = spec.fontFile ?? findFont();
  const textDir = await makeScratchFolder('cards');
  try {
    const cards = await Promise.all(
      layouts.map((layout, index) => writeCard(textDir, index, layout, metrics, height)),
    );
    await writeAtomically(destination, (temporary) =>
      runFfmpeg(
        synthesisArgs({
          output: temporary,
          width,
          height,
          fps,
          durationSec: spec.durationSec,
          sound: spec.sound,
          cards,
          ...(fontFile ? { fontFile } : {}),
        }),
        `synthesising a placeholder clip for ${destination}`,
        options,
      ),
    );
  } finally {
    await rm(textDir, { recursive: true, force: true });
  }
}

function assertSpec(spec: SynthesisSpec): void {
  if (!(Number.isFinite(spec.durationSec) && spec.durationSec > 0)) {
    throw new RangeError(`a placeholder clip needs a positive duration, got ${spec.durationSec}`);
  }
  const { size } = spec;
  // libx264 with yuv420p needs even dimensions.
  if (size && !(isEvenPositive(size.width) && isEvenPositive(size.height))) {
    throw new RangeError(
      `a placeholder clip needs an even width and height, got ${size.width}x${size.height}`,
    );
  }
}

function isEvenPositive(value: number): boolean {
  return Number.isInteger(value) && value > 0 && value % 2 === 0;
}

/** Texts go through files (drawtext `textfile=`) so prompts need no escaping at all. */
async function writeCard(
  directory: string,
  index: number,
  layout: CardLayout,
  metrics: TextMetrics,
  height: number,
): Promise<SynthCard> {
  const margin = Math.round(height * 0.06);
  const texts: CardText[] = [];
  const add = async (name: string, content: string, text: Omit<CardText, 'file'>) => {
    if (!content) return;
    const file = path.join(directory, `${index}-${name}.txt`);
    await writeFile(file, content, 'utf8');
    texts.push({ file, ...text });
  };
  const small = { fontSize: metrics.headerSize, lineSpacing: 0 };
  await add('header', layout.header, { ...small, x: String(margin), y: String(margin) });
  await add('body', layout.body, {
    fontSize: layout.bodySize,
    lineSpacing: layout.bodyLineSpacing,
    x: '(w-text_w)/2',
    y: '(h-text_h)/2',
  });
  await add('footer', layout.footer ?? '', { ...small, x: '(w-text_w)/2', y: `h-text_h-${margin}` });
  return { durationSec: layout.durationSec, background: layout.background, toneHz: layout.toneHz, texts };
}

const require = createRequire(import.meta.url);
const SYSTEM_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

/** DejaVu Sans from the npm package, else the system's; undefined means cards without text. */
export function findFont(): string | undefined {
  const candidates: string[] = [];
  try {
    const packageDir = path.dirname(require.resolve('dejavu-fonts-ttf/package.json'));
    candidates.push(path.join(packageDir, 'ttf', 'DejaVuSans.ttf'));
  } catch {
    // Not installed: try the system font.
  }
  candidates.push(SYSTEM_FONT);
  return candidates.find((candidate) => existsSync(candidate));
}
