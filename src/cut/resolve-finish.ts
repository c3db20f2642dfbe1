/**
 * A variant's finishing settings: the storyboard's `finish`, `deliver` and per-scene finishing keys,
 * overridden by the variant's. Each value keeps the path it was written at, for messages.
 */
import { declaredVariant, type Sourced, variantPath } from '../plan/resolve.js';
import type { DocPath } from '../storyboard/locate.js';
import type {
  Caption,
  CaptionMode,
  EndCard,
  Finish,
  Music,
  Scene,
  ScenePatch,
  Storyboard,
  Super,
  TransitionKind,
  Trim,
  VariantFinish,
} from '../storyboard/storyboard.generated.js';

/** A block (music, end card) merged key by key: each key from where it was last written. */
export interface SourcedBlock<T> {
  /** Where the block is written (the variant's, when it has one). */
  at: DocPath;
  values: { [K in keyof T]?: Sourced<NonNullable<T[K]>> };
}

export interface FinishSettings {
  font: Sourced<string> | undefined;
  loudness: Sourced<number> | undefined;
  transition: Sourced<TransitionKind> | undefined;
  transitionDuration: Sourced<number> | undefined;
  music: SourcedBlock<Music> | undefined;
  endCard: SourcedBlock<EndCard> | undefined;
  captions: Sourced<CaptionMode> | undefined;
  deliverLength: Sourced<number> | undefined;
}

export interface SceneFinish {
  trim: Sourced<Trim> | undefined;
  transition: Sourced<TransitionKind> | undefined;
  transitionDuration: Sourced<number> | undefined;
  supers: Sourced<Super[]> | undefined;
  captions: Sourced<Caption[]> | undefined;
}

type ScalarKey = 'font' | 'loudness' | 'transition' | 'transition_duration' | 'captions';

function scalar<K extends ScalarKey>(
  base: Finish | undefined,
  over: VariantFinish | undefined,
  overAt: DocPath,
  key: K,
): Sourced<NonNullable<Finish[K]>> | undefined {
  if (over?.[key] !== undefined) return { value: over[key] as NonNullable<Finish[K]>, at: [...overAt, key] };
  if (base?.[key] !== undefined) return { value: base[key] as NonNullable<Finish[K]>, at: ['finish', key] };
  return undefined;
}

function block<T extends object>(
  base: T | undefined,
  over: T | false | undefined,
  baseAt: DocPath,
  overAt: DocPath,
): SourcedBlock<T> | undefined {
  if (over === false) return undefined;
  if (base === undefined && over === undefined) return undefined;
  const values: SourcedBlock<T>['values'] = {};
  for (const [layer, at] of [
    [base, baseAt],
    [over, overAt],
  ] as const) {
    for (const [key, value] of Object.entries(layer ?? {})) {
      if (value !== undefined) (values as Record<string, unknown>)[key] = { value, at: [...at, key] };
    }
  }
  return { at: over !== undefined ? overAt : baseAt, values };
}

export function resolveFinish(storyboard: Storyboard, variant: string): FinishSettings {
  const declared = declaredVariant(storyboard, variant);
  const base = storyboard.finish;
  const over = declared?.finish;
  const overAt: DocPath = [...variantPath(variant), 'finish'];
  const length = declared?.deliver?.length ?? storyboard.deliver?.length;
  const lengthAt: DocPath =
    declared?.deliver?.length !== undefined
      ? [...variantPath(variant), 'deliver', 'length']
      : ['deliver', 'length'];
  return {
    font: scalar(base, over, overAt, 'font'),
    loudness: scalar(base, over, overAt, 'loudness'),
    transition: scalar(base, over, overAt, 'transition'),
    transitionDuration: scalar(base, over, overAt, 'transition_duration'),
    music: block<Music>(base?.music, over?.music, ['finish', 'music'], [...overAt, 'music']),
    endCard: block<EndCard>(base?.end_card, over?.end_card, ['finish', 'end_card'], [...overAt, 'end_card']),
    captions: scalar(base, over, overAt, 'captions'),
    deliverLength: length !== undefined ? { value: length, at: lengthAt } : undefined,
  };
}

type SceneKey = 'trim' | 'transition' | 'transition_duration' | 'supers' | 'captions';

/** The scene's finishing keys; a variant's patch replaces each key whole. */
export function resolveSceneFinish(storyboard: Storyboard, variant: string, index: number): SceneFinish {
  const scene = storyboard.scenes[index] as Scene;
  const patch: ScenePatch | undefined = declaredVariant(storyboard, variant)?.scenes?.[scene.id];
  const patchAt: DocPath = [...variantPath(variant), 'scenes', scene.id];
  function own<K extends SceneKey>(key: K): Sourced<NonNullable<Scene[K]>> | undefined {
    if (patch?.[key] !== undefined)
      return { value: patch[key] as NonNullable<Scene[K]>, at: [...patchAt, key] };
    if (scene[key] !== undefined)
      return { value: scene[key] as NonNullable<Scene[K]>, at: ['scenes', index, key] };
    return undefined;
  }
  return {
    trim: own('trim'),
    transition: own('transition'),
    transitionDuration: own('transition_duration'),
    supers: own('supers'),
    captions: own('captions'),
  };
}
