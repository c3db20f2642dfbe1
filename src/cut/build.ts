/**
 * The cut builder: a variant's planned jobs and its finishing keys become the finished film as data
 * (src/cut/types.ts), or the problems that stop it, each at its position with the numbers and a fix.
 * Pure: no disk, no network, no clock. Files (music, image, font) are checked by the shell
 * (src/run/assets.ts) before anything is submitted.
 *
 * Decisions:
 * - A crossfade overlaps its neighbours: the film is shorter by its duration. A dip goes through
 *   black (half its duration out, half in) and does not change the film's length.
 * - A transition applies into the next scene, or into the end card after the last scene; the last
 *   scene of a film without an end card has none (an inherited one is dropped, a written one refused).
 * - Times are summed exactly (milliseconds) and snapped to the 24 fps grid once per boundary.
 */
import type { Problem } from '../errors.js';
import type { Sourced } from '../plan/resolve.js';
import type { PlannedJob } from '../plan/types.js';
import type { LoadedStoryboard } from '../storyboard/load.js';
import type { DocPath, SourceLocator } from '../storyboard/locate.js';
import { formatPath } from '../storyboard/locate.js';
import type { Caption, Super } from '../storyboard/storyboard.generated.js';
import { parseColour } from './colour.js';
import { FILM_FPS, formatSeconds, frameAt, framesToSeconds, ms } from './frames.js';
import { resolveFinish, resolveSceneFinish, type SceneFinish } from './resolve-finish.js';
import { fillText, type TextContext } from './texts.js';
import type {
  Cut,
  CutAsset,
  CutCaption,
  CutEndCard,
  CutMusic,
  CutOverlay,
  CutSegment,
  CutTransition,
  SourceRef,
  TransitionKind,
} from './types.js';

export const DEFAULT_TRANSITION_SECONDS = 0.5;
export const DEFAULT_END_CARD_SECONDS = 3;
export const DEFAULT_MUSIC_VOLUME_DB = -12;
export const DEFAULT_MUSIC_FADE_OUT_SECONDS = 2;
export const DEFAULT_BACKGROUND = '#000000';
/** A trim must leave at least this much of a clip. */
export const MIN_SHOWN_MS = 1000;

export interface CutScene {
  /** Index into the storyboard's `scenes`. */
  sceneIndex: number;
  /** Its job, when the scene planned (a scene with problems has none and is only partly checked). */
  job: PlannedJob | undefined;
}

export interface CutInput {
  loaded: LoadedStoryboard;
  variant: string;
  vars: ReadonlyMap<string, Sourced<string>>;
  /** The variant's scenes, in film order. */
  scenes: CutScene[];
}

/** One scene on the exact (millisecond) clock, before snapping to frames. */
interface Placed {
  job: PlannedJob;
  finish: SceneFinish;
  at: DocPath;
  clipMs: number;
  trimStartMs: number;
  trimEndMs: number;
  shownMs: number;
  startMs: number;
}

/** A planned transition between item i and i+1 (items: the scenes, then the end card). */
interface PlannedTransition {
  kind: Exclude<TransitionKind, 'cut'>;
  durationMs: number;
  after: number;
  toEndCard: boolean;
  at: DocPath;
}

function sourceRef(locator: SourceLocator, at: DocPath): SourceRef {
  const { line, col } = locator.position(at);
  return { file: locator.file, line, col, path: formatPath(at) };
}

function sceneName(placed: Placed): string {
  return `'${placed.job.scene}'`;
}

/** "4.6 s shown (5 s clip, trim 0.4 + 0)" or "5 s" when nothing is trimmed. */
function shownText(placed: Placed): string {
  if (placed.trimStartMs === 0 && placed.trimEndMs === 0) return `${formatSeconds(placed.shownMs)} s`;
  const trims = `trim ${formatSeconds(placed.trimStartMs)} + ${formatSeconds(placed.trimEndMs)}`;
  return `${formatSeconds(placed.shownMs)} s after trim (${formatSeconds(placed.clipMs)} s clip, ${trims})`;
}

class CutBuilder {
  readonly problems: Problem[] = [];
  private readonly locator: SourceLocator;
  private readonly text: TextContext;
  private readonly settings;

  constructor(private readonly input: CutInput) {
    this.locator = input.loaded.locator;
    this.text = { locator: this.locator, vars: input.vars };
    this.settings = resolveFinish(input.loaded.storyboard, input.variant);
  }

  private problem(at: DocPath, message: string, hint?: string): void {
    this.problems.push(this.locator.problem(at, message, { hint }));
  }

  build(): Cut | undefined {
    const placed = this.placeScenes();
    const endCardMs = this.endCardDuration();
    const transitions = this.planTransitions(placed, endCardMs);
    this.position(placed, transitions);
    const last = placed.at(-1);
    const card = transitions.find((t) => t.toEndCard);
    const endCardStartMs =
      last && endCardMs !== undefined
        ? last.startMs + last.shownMs - (card?.kind === 'crossfade' ? card.durationMs : 0)
        : undefined;
    const totalMs =
      endCardStartMs !== undefined ? endCardStartMs + endCardMs! : last ? last.startMs + last.shownMs : 0;
    const complete = this.input.scenes.every((scene) => scene.job) && placed.length > 0;
    if (complete) this.checkLength(placed, transitions, endCardMs, totalMs);
    const overlays: CutOverlay[] = [];
    const captions: CutCaption[] = [];
    for (const scene of placed) this.timedTexts(scene, overlays, captions);
    const assets: CutAsset[] = [];
    const endCard =
      endCardMs !== undefined && endCardStartMs !== undefined
        ? this.endCard(endCardStartMs, endCardMs, assets)
        : undefined;
    const music = this.music(totalMs, assets);
    const font = this.font(assets);
    if (this.problems.length > 0 || !complete) return undefined;
    return this.assemble({ placed, transitions, overlays, captions, endCard, music, font, assets, totalMs });
  }

  private placeScenes(): Placed[] {
    const placed: Placed[] = [];
    for (const { sceneIndex, job } of this.input.scenes) {
      const finish = resolveSceneFinish(this.input.loaded.storyboard, this.input.variant, sceneIndex);
      if (!job) continue;
      const clipMs = ms(job.duration);
      const trimStartMs = ms(finish.trim?.value.start ?? 0);
      const trimEndMs = ms(finish.trim?.value.end ?? 0);
      const shownMs = clipMs - trimStartMs - trimEndMs;
      const at: DocPath = ['scenes', sceneIndex];
      if (finish.trim && shownMs < MIN_SHOWN_MS) {
        const sum = `${formatSeconds(clipMs)} - ${formatSeconds(trimStartMs)} - ${formatSeconds(trimEndMs)} = ${formatSeconds(shownMs)} s`;
        this.problem(
          finish.trim.at ?? at,
          `trim leaves ${formatSeconds(Math.max(shownMs, 0))} s of the ${formatSeconds(clipMs)} s clip of '${job.scene}' (${sum}); at least 1 s must remain`,
          `trim at most ${formatSeconds(clipMs - MIN_SHOWN_MS)} s in all, or lengthen the scene`,
        );
        continue;
      }
      placed.push({ job, finish, at, clipMs, trimStartMs, trimEndMs, shownMs, startMs: 0 });
    }
    return placed;
  }

  private endCardDuration(): number | undefined {
    const card = this.settings.endCard;
    if (!card) return undefined;
    return ms(card.values.duration?.value ?? DEFAULT_END_CARD_SECONDS);
  }

  private planTransitions(placed: Placed[], endCardMs: number | undefined): PlannedTransition[] {
    const transitions: PlannedTransition[] = [];
    placed.forEach((scene, i) => {
      const own = scene.finish.transition;
      const kind = own?.value ?? this.settings.transition?.value ?? 'cut';
      const next = placed[i + 1];
      const toEndCard = !next && endCardMs !== undefined;
      if (!next && !toEndCard) {
        if (own && own.value !== 'cut') {
          this.problem(
            own.at ?? scene.at,
            `'${scene.job.scene}' is the last scene: there is nothing after it to ${own.value} into`,
            'remove transition here, or add finish.end_card',
          );
        }
        return;
      }
      if (kind === 'cut') return;
      const duration = scene.finish.transitionDuration ?? this.settings.transitionDuration;
      const durationMs = ms(duration?.value ?? DEFAULT_TRANSITION_SECONDS);
      const at = duration?.at ?? own?.at ?? this.settings.transition?.at ?? scene.at;
      const transition = { kind, durationMs, after: i, toEndCard, at };
      if (this.transitionFits(transition, scene, next, endCardMs)) transitions.push(transition);
    });
    this.checkBothSides(placed, transitions);
    return transitions;
  }

  private transitionFits(
    t: PlannedTransition,
    before: Placed,
    after: Placed | undefined,
    endCardMs: number | undefined,
  ): boolean {
    const what = `a ${formatSeconds(t.durationMs)} s ${t.kind}`;
    const into = after ? sceneName(after) : 'the end card';
    const neighbours: [string, number, string][] = [[sceneName(before), before.shownMs, shownText(before)]];
    if (after) neighbours.push([sceneName(after), after.shownMs, shownText(after)]);
    else neighbours.push(['the end card', endCardMs!, `${formatSeconds(endCardMs!)} s`]);
    for (const [name, lengthMs, shown] of neighbours) {
      if (t.durationMs <= lengthMs) continue;
      this.problem(
        t.at,
        `${what} from ${sceneName(before)} into ${into} is longer than ${name}, which lasts ${shown}`,
        `make transition_duration at most ${formatSeconds(Math.min(...neighbours.map((n) => n[1])))}`,
      );
      return false;
    }
    return true;
  }

  /** A scene must hold its incoming and its outgoing transition at once. */
  private checkBothSides(placed: Placed[], transitions: PlannedTransition[]): void {
    const share = (t: PlannedTransition) => (t.kind === 'crossfade' ? t.durationMs : t.durationMs / 2);
    for (const incoming of transitions) {
      const outgoing = transitions.find((t) => t.after === incoming.after + 1);
      const scene = placed[incoming.after + 1];
      if (!outgoing || !scene) continue;
      const used = share(incoming) + share(outgoing);
      if (used <= scene.shownMs) continue;
      this.problem(
        outgoing.at,
        `the transitions into and out of ${sceneName(scene)} take ${formatSeconds(share(incoming))} + ${formatSeconds(share(outgoing))} = ${formatSeconds(used)} s of it, but it lasts ${shownText(scene)}`,
        'shorten one of the transitions, or trim less of the scene',
      );
    }
  }

  private position(placed: Placed[], transitions: PlannedTransition[]): void {
    let startMs = 0;
    placed.forEach((scene, i) => {
      scene.startMs = startMs;
      const t = transitions.find((candidate) => candidate.after === i);
      startMs += scene.shownMs - (t?.kind === 'crossfade' ? t.durationMs : 0);
    });
  }

  private checkLength(
    placed: Placed[],
    transitions: PlannedTransition[],
    endCardMs: number | undefined,
    totalMs: number,
  ): void {
    const deliver = this.settings.deliverLength;
    if (!deliver) return;
    const wantMs = ms(deliver.value);
    if (frameAt(wantMs) === frameAt(totalMs)) return;
    const parts = placed.map((scene) => formatSeconds(scene.shownMs)).join(' + ');
    const fades = transitions
      .filter((t) => t.kind === 'crossfade')
      .map((t) => ` - ${formatSeconds(t.durationMs)} crossfade`)
      .join('');
    const card = endCardMs !== undefined ? ` + ${formatSeconds(endCardMs)} end card` : '';
    const differenceMs = Math.abs(totalMs - wantMs);
    this.problem(
      deliver.at ?? ['deliver', 'length'],
      `the film adds up to ${parts}${fades}${card} = ${formatSeconds(totalMs)} s, deliver.length is ${formatSeconds(wantMs)}`,
      `make deliver.length ${formatSeconds(totalMs)}, or ${totalMs > wantMs ? 'take' : 'add'} ${formatSeconds(differenceMs)} s ${totalMs > wantMs ? 'out of' : 'to'} the scenes, trims, transitions or end card`,
    );
  }

  private timedTexts(scene: Placed, overlays: CutOverlay[], captions: CutCaption[]): void {
    const list = (kind: 'supers' | 'captions') => scene.finish[kind];
    const supers = list('supers');
    supers?.value.forEach((item: Super, k) => {
      const at: DocPath = [...(supers.at ?? scene.at), k];
      const timing = this.timing(scene, item, at, 'super');
      const text = fillText(item.text, [...at, 'text'], 'super text', this.text, this.problems);
      if (!timing || text === undefined) return;
      overlays.push({
        kind: 'super',
        scene: scene.job.scene,
        text,
        ...timing,
        position: item.position ?? 'bottom',
        source: sourceRef(this.locator, at),
      });
    });
    const said = list('captions');
    said?.value.forEach((item: Caption, k) => {
      const at: DocPath = [...(said.at ?? scene.at), k];
      const timing = this.timing(scene, item, at, 'caption');
      const text = fillText(item.text, [...at, 'text'], 'caption text', this.text, this.problems);
      if (!timing || text === undefined) return;
      captions.push({ scene: scene.job.scene, text, ...timing, source: sourceRef(this.locator, at) });
    });
  }

  /** Film time of a super or caption, frame-exact, or undefined when it leaves its scene. */
  private timing(
    scene: Placed,
    item: { at?: number; for?: number },
    at: DocPath,
    noun: string,
  ): { filmStart: number; duration: number } | undefined {
    const startMs = ms(item.at ?? 0);
    if (startMs >= scene.shownMs) {
      this.problem(
        [...at, 'at'],
        `${noun} starts at ${formatSeconds(startMs)} s, but ${sceneName(scene)} lasts ${shownText(scene)}`,
        `at counts from the scene's first shown frame (after trim): use less than ${formatSeconds(scene.shownMs)}, or put it in the next scene`,
      );
      return undefined;
    }
    const forMs = item.for !== undefined ? ms(item.for) : scene.shownMs - startMs;
    if (startMs + forMs > scene.shownMs) {
      this.problem(
        [...at, 'for'],
        `${noun} ends at ${formatSeconds(startMs)} + ${formatSeconds(forMs)} = ${formatSeconds(startMs + forMs)} s, but ${sceneName(scene)} lasts ${shownText(scene)}`,
        `make for at most ${formatSeconds(scene.shownMs - startMs)}, or start it earlier`,
      );
      return undefined;
    }
    const first = frameAt(scene.startMs + startMs);
    const end = Math.min(frameAt(scene.startMs + startMs + forMs), frameAt(scene.startMs + scene.shownMs));
    return { filmStart: framesToSeconds(first), duration: framesToSeconds(Math.max(end - first, 1)) };
  }

  private asset(kind: CutAsset['kind'], value: Sourced<string>, assets: CutAsset[]): string | undefined {
    const written = value.value.trim();
    if (written === '') {
      this.problem(value.at!, `the ${kind} file name is empty`, 'give a file relative to the storyboard');
      return undefined;
    }
    assets.push({ kind, written, source: sourceRef(this.locator, value.at!) });
    return written;
  }

  private endCard(startMs: number, durationMs: number, assets: CutAsset[]): CutEndCard | undefined {
    const { values } = this.settings.endCard!;
    let background = DEFAULT_BACKGROUND;
    if (values.background) {
      const colour = parseColour(values.background.value);
      if (colour) background = colour;
      else {
        this.problem(
          values.background.at!,
          `'${values.background.value}' is not a colour`,
          "write '#rrggbb' (like '#1a1a1a'), '#rgb', 'black' or 'white'",
        );
      }
    }
    const text = values.text
      ? fillText(values.text.value, values.text.at!, 'end card text', this.text, this.problems)
      : undefined;
    const image = values.image ? this.asset('image', values.image, assets) : undefined;
    const first = frameAt(startMs);
    return {
      filmStart: framesToSeconds(first),
      duration: framesToSeconds(frameAt(startMs + durationMs) - first),
      ...(image !== undefined ? { image } : {}),
      ...(text !== undefined ? { text, textSource: sourceRef(this.locator, values.text!.at!) } : {}),
      background,
    };
  }

  private music(totalMs: number, assets: CutAsset[]): CutMusic | undefined {
    const block = this.settings.music;
    if (!block) return undefined;
    const { values } = block;
    if (!values.file) {
      this.problem(
        block.at,
        'music has no file',
        'add `file:` with an audio file relative to the storyboard',
      );
      return undefined;
    }
    const file = this.asset('music', values.file, assets);
    const fadeOutMs = ms(values.fade_out?.value ?? DEFAULT_MUSIC_FADE_OUT_SECONDS);
    if (values.fade_out && totalMs > 0 && fadeOutMs > totalMs) {
      this.problem(
        values.fade_out.at!,
        `fade_out of ${formatSeconds(fadeOutMs)} s is longer than the film (${formatSeconds(totalMs)} s)`,
        `use at most ${formatSeconds(totalMs)}`,
      );
      return undefined;
    }
    if (file === undefined) return undefined;
    return {
      file,
      volumeDb: values.volume?.value ?? DEFAULT_MUSIC_VOLUME_DB,
      duck: values.duck?.value ?? true,
      fadeOut: framesToSeconds(frameAt(Math.min(fadeOutMs, totalMs))),
    };
  }

  private font(assets: CutAsset[]): string | undefined {
    const font = this.settings.font;
    return font ? this.asset('font', font, assets) : undefined;
  }

  private assemble(parts: {
    placed: Placed[];
    transitions: PlannedTransition[];
    overlays: CutOverlay[];
    captions: CutCaption[];
    endCard: CutEndCard | undefined;
    music: CutMusic | undefined;
    font: string | undefined;
    assets: CutAsset[];
    totalMs: number;
  }): Cut {
    const { placed, transitions, overlays, captions, endCard, music, font, assets, totalMs } = parts;
    const segments = placed.map(segmentOf);
    const cutTransitions = transitions.map((t) => transitionOf(t, placed));
    const loudness = this.settings.loudness?.value;
    const captionMode = this.settings.captions?.value ?? (captions.length > 0 ? 'sidecar' : 'none');
    const burned = captions.length > 0 && (captionMode === 'burn' || captionMode === 'both');
    const trimmed = segments.some((s) => s.trimStart > 0 || s.trimEnd > 0);
    const plain =
      !trimmed &&
      cutTransitions.length === 0 &&
      overlays.length === 0 &&
      !burned &&
      !endCard &&
      !music &&
      loudness === undefined;
    const first = placed[0]!.job;
    return {
      storyboard: this.input.loaded.name,
      variant: this.input.variant,
      aspectRatio: first.payload.aspect_ratio,
      assetsResolved: false,
      segments,
      transitions: cutTransitions,
      overlays,
      captions,
      captionMode,
      ...(endCard ? { endCard } : {}),
      ...(music ? { music } : {}),
      ...(loudness !== undefined ? { loudness } : {}),
      ...(font !== undefined ? { font } : {}),
      assets,
      fps: FILM_FPS,
      duration: framesToSeconds(endCard ? frameAt(totalMs) : segmentEndFrame(placed.at(-1)!)),
      plain,
    };
  }
}

function segmentEndFrame(scene: Placed): number {
  return frameAt(scene.startMs + scene.shownMs);
}

/** Snapped to frames at both ends; the slack of an off-grid trim goes to the trim, never below 0. */
function segmentOf(scene: Placed): CutSegment {
  const first = frameAt(scene.startMs);
  const shownFrames = segmentEndFrame(scene) - first;
  const clipFrames = frameAt(scene.clipMs);
  const trimStartFrames = Math.min(Math.max(frameAt(scene.trimStartMs), 0), clipFrames - shownFrames);
  const trimEndFrames = clipFrames - shownFrames - trimStartFrames;
  return {
    scene: scene.job.scene,
    index: scene.job.index,
    jobKey: scene.job.key,
    clipDuration: scene.job.duration,
    trimStart: framesToSeconds(trimStartFrames),
    trimEnd: framesToSeconds(trimEndFrames),
    shownDuration: framesToSeconds(shownFrames),
    filmStart: framesToSeconds(first),
    sound: scene.job.payload.sound,
  };
}

function transitionOf(t: PlannedTransition, placed: Placed[]): CutTransition {
  const before = placed[t.after]!;
  const endFrame = segmentEndFrame(before);
  const base = { kind: t.kind, after: t.after, ...(t.toEndCard ? { toEndCard: true } : {}) };
  if (t.kind === 'crossfade') {
    const startFrame = frameAt(before.startMs + before.shownMs - t.durationMs);
    return {
      ...base,
      duration: framesToSeconds(endFrame - startFrame),
      filmStart: framesToSeconds(startFrame),
    };
  }
  const boundaryMs = before.startMs + before.shownMs;
  const startFrame = frameAt(boundaryMs - t.durationMs / 2);
  const duration = frameAt(boundaryMs + t.durationMs / 2) - startFrame;
  return { ...base, duration: framesToSeconds(duration), filmStart: framesToSeconds(startFrame) };
}

export type CutResult = { cut: Cut | undefined; problems: Problem[] };

/** The variant's cut, or the problems that stop it (appended in the order found). */
export function buildCut(input: CutInput): CutResult {
  const builder = new CutBuilder(input);
  const cut = builder.build();
  return { cut, problems: builder.problems };
}
