/**
 * Applies a variant to the storyboard: defaults, vars, scene patches. Every resolved value keeps
 * the path it was written at, so a problem found later points at the line that caused it.
 */
import type { DocPath } from '../storyboard/locate.js';
import type {
  AspectRatio,
  Defaults,
  Scene,
  ScenePatch,
  Segment,
  ShotType,
  Storyboard,
  Variant,
} from '../storyboard/storyboard.generated.js';
import { KLING_DEFAULTS } from './limits.js';

export interface Sourced<T> {
  value: T;
  /** Where the value was written; undefined for the model's own default. */
  at: DocPath | undefined;
}

export interface ResolvedScene {
  id: string;
  /** Where the scene is written (`scenes[i]`). */
  at: DocPath;
  prompt: Sourced<string>;
  negativePrompt: Sourced<string>;
  aspectRatio: Sourced<AspectRatio>;
  cfgScale: Sourced<number>;
  sound: Sourced<boolean>;
  /** The default length for a scene without segments. */
  defaultDuration: Sourced<number>;
  /** Only what the scene (or its patch) says itself. */
  duration: Sourced<number> | undefined;
  shotType: Sourced<ShotType> | undefined;
  segments: Sourced<Segment[]> | undefined;
  /** Which generation of the scene the film uses (1 unless the scene or its patch says otherwise). */
  take: Sourced<number>;
}

/** The base storyboard is the variant `default`; it is never declared. */
export const DEFAULT_VARIANT = 'default';

export function variantPath(variant: string): DocPath {
  return ['variants', variant];
}

export function declaredVariant(storyboard: Storyboard, variant: string): Variant | undefined {
  return variant === DEFAULT_VARIANT ? undefined : storyboard.variants?.[variant];
}

/** Variables in effect: the storyboard's, overridden by the variant's. */
export function resolveVars(storyboard: Storyboard, variant: string): Map<string, Sourced<string>> {
  const vars = new Map<string, Sourced<string>>();
  for (const [name, value] of Object.entries(storyboard.vars ?? {})) {
    if (value !== undefined) vars.set(name, { value, at: ['vars', name] });
  }
  for (const [name, value] of Object.entries(declaredVariant(storyboard, variant)?.vars ?? {})) {
    if (value !== undefined) vars.set(name, { value, at: [...variantPath(variant), 'vars', name] });
  }
  return vars;
}

type DefaultKey = keyof Defaults;

function layeredDefault<K extends DefaultKey>(
  storyboard: Storyboard,
  variant: string,
  key: K,
): Sourced<NonNullable<Defaults[K]>> | undefined {
  const fromVariant = declaredVariant(storyboard, variant)?.defaults?.[key];
  if (fromVariant !== undefined)
    return { value: fromVariant, at: [...variantPath(variant), 'defaults', key] };
  const fromStoryboard = storyboard.defaults?.[key];
  if (fromStoryboard !== undefined) return { value: fromStoryboard, at: ['defaults', key] };
  return undefined;
}

export function resolveScene(storyboard: Storyboard, variant: string, index: number): ResolvedScene {
  const scene = storyboard.scenes[index] as Scene;
  const at: DocPath = ['scenes', index];
  const patch: ScenePatch | undefined = declaredVariant(storyboard, variant)?.scenes?.[scene.id];
  const patchAt: DocPath = [...variantPath(variant), 'scenes', scene.id];

  function own<K extends keyof ScenePatch>(key: K): Sourced<NonNullable<Scene[K]>> | undefined {
    if (patch?.[key] !== undefined)
      return { value: patch[key] as NonNullable<Scene[K]>, at: [...patchAt, key] };
    if (scene[key] !== undefined) return { value: scene[key] as NonNullable<Scene[K]>, at: [...at, key] };
    return undefined;
  }
  function inherited<K extends keyof ScenePatch & DefaultKey & keyof typeof KLING_DEFAULTS>(
    key: K,
  ): Sourced<NonNullable<Scene[K]>> {
    return (own(key) ??
      layeredDefault(storyboard, variant, key) ?? { value: KLING_DEFAULTS[key], at: undefined }) as Sourced<
      NonNullable<Scene[K]>
    >;
  }

  return {
    id: scene.id,
    at,
    prompt: own('prompt') ?? { value: scene.prompt, at: [...at, 'prompt'] },
    negativePrompt: inherited('negative_prompt'),
    aspectRatio: inherited('aspect_ratio'),
    cfgScale: inherited('cfg_scale'),
    sound: inherited('sound'),
    defaultDuration: layeredDefault(storyboard, variant, 'duration') ?? {
      value: KLING_DEFAULTS.duration,
      at: undefined,
    },
    duration: own('duration'),
    shotType: own('shot_type'),
    segments: own('multi_prompt'),
    take: own('take') ?? { value: 1, at: undefined },
  };
}
