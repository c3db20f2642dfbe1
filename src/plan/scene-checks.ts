/**
 * Turns one resolved scene into the exact request Kling receives, or into the problems that stop
 * it: unfilled or unknown {{vars}}, empty or too long prompts, segments that do not fit the clip.
 */
import type { Problem } from '../errors.js';
import type { DocPath, SourceLocator } from '../storyboard/locate.js';
import { closestMatch } from '../storyboard/suggest.js';
import { MAX_SECONDS, MAX_SEGMENTS, MAX_SHOT_PROMPT_CHARS, MIN_SECONDS, MIN_SEGMENTS } from './limits.js';
import type { ResolvedScene, Sourced } from './resolve.js';
import type { KlingRequest, Shot, ShotType } from './types.js';
import { fillVars, findPlaceholders } from './vars.js';

export interface SceneContext {
  locator: SourceLocator;
  vars: ReadonlyMap<string, Sourced<string>>;
  promptLimit: number;
}

interface PromptRule {
  /** 'prompt', 'negative_prompt', 'shot prompt' */
  label: string;
  limit: number;
  required: boolean;
}

function characters(text: string): number {
  return [...text].length; // code points: an emoji is one character to a person, two to String.length
}

/** Fills and checks one prompt; returns undefined when it cannot be sent. */
function fillPrompt(
  source: Sourced<string>,
  fallbackAt: DocPath,
  rule: PromptRule,
  context: SceneContext,
  problems: Problem[],
): string | undefined {
  const at = source.at ?? fallbackAt;
  const { locator, vars } = context;
  const values = new Map([...vars].map(([name, sourced]) => [name, sourced.value]));
  const filled = fillVars(source.value, values);
  const before = problems.length;
  for (const placeholder of filled.undefinedVars) {
    const match = closestMatch(placeholder.name, vars.keys());
    const hint = match ? `did you mean '${match}'?` : 'define it under `vars:`';
    problems.push(
      locator.problem(at, `undefined variable {{${placeholder.name}}}`, { offset: placeholder.start, hint }),
    );
  }
  for (const placeholder of filled.malformed) {
    const written = source.value.slice(placeholder.start, placeholder.end);
    problems.push(
      locator.problem(at, `'${written}' is not a variable`, {
        offset: placeholder.start,
        hint: "a variable name is letters, digits and '_', like {{product}}",
      }),
    );
  }
  if (filled.strayBrace !== undefined) {
    problems.push(
      locator.problem(at, "unmatched '{{' or '}}'", {
        offset: filled.strayBrace,
        hint: 'write a variable as {{name}}; braces cannot appear otherwise',
      }),
    );
  }
  if (problems.length > before) return undefined;
  const text = filled.text.trim();
  const after = filled.hadPlaceholders ? ' after filling {{vars}}' : '';
  // Values with one brace each, side by side, make a pair no single value holds (a value that holds
  // one is reported where it is defined).
  const hasPair = (value: string) => value.includes('{{') || value.includes('}}');
  const fromOneValue = findPlaceholders(source.value).some((p) => hasPair(values.get(p.name) ?? ''));
  if (filled.hadPlaceholders && hasPair(text) && !fromOneValue) {
    problems.push(
      locator.problem(at, `${rule.label} contains '{{' or '}}'${after}`, {
        hint: 'the braces come from the values of its variables; remove them there',
      }),
    );
    return undefined;
  }
  if (rule.required && text === '') {
    problems.push(
      locator.problem(at, `${rule.label} is empty${after}`, { hint: 'describe what the camera sees' }),
    );
    return undefined;
  }
  const length = characters(text);
  if (length > rule.limit) {
    problems.push(
      locator.problem(
        at,
        `${rule.label} is ${length} characters${after}; Kling accepts at most ${rule.limit}`,
        {
          hint: 'shorten it',
        },
      ),
    );
    return undefined;
  }
  return text;
}

interface ShotLayout {
  shotType: ShotType;
  duration: number;
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Decides shot_type and duration from segments, reporting each mistake once. */
function layoutShots(
  scene: ResolvedScene,
  locator: SourceLocator,
  problems: Problem[],
): ShotLayout | undefined {
  const segments = scene.segments?.value ?? [];
  const declared = scene.shotType;
  const shotTypeAt = declared?.at ?? scene.at;
  if (segments.length === 0) {
    if (declared?.value === 'customize') {
      problems.push(
        locator.problem(shotTypeAt, "shot_type 'customize' needs multi_prompt segments", {
          hint: 'add multi_prompt, or remove shot_type for a single shot',
        }),
      );
      return undefined;
    }
    return { shotType: 'intelligent', duration: scene.duration?.value ?? scene.defaultDuration.value };
  }
  const segmentsAt = scene.segments?.at ?? scene.at;
  let ok = true;
  if (declared?.value === 'intelligent') {
    problems.push(
      locator.problem(
        shotTypeAt,
        "shot_type 'intelligent' lets the model choose the cuts, but multi_prompt sets them",
        {
          hint: 'remove shot_type, since multi_prompt implies customize, or remove multi_prompt',
        },
      ),
    );
    ok = false;
  }
  if (segments.length < MIN_SEGMENTS) {
    problems.push(
      locator.problem(
        segmentsAt,
        `a multi-shot scene needs at least ${MIN_SEGMENTS} segments; this one has ${segments.length}`,
        {
          hint: 'for a single shot, remove multi_prompt and give the scene a prompt and a duration',
        },
      ),
    );
    return undefined;
  }
  if (segments.length > MAX_SEGMENTS) {
    problems.push(
      locator.problem(
        segmentsAt,
        `${segments.length} segments cannot fit in one clip: each lasts at least ${MIN_SECONDS} s and a clip at most ${MAX_SECONDS} s, so at most ${MAX_SEGMENTS}`,
        { hint: 'split the scene in two' },
      ),
    );
    return undefined;
  }
  const durations = segments.map((segment) => segment.duration);
  const total = sum(durations);
  const explicit = scene.duration;
  if (explicit && explicit.value !== total) {
    problems.push(
      locator.problem(
        explicit.at ?? scene.at,
        `duration is ${explicit.value} s but the segments add up to ${durations.join(' + ')} = ${total} s`,
        { hint: 'fix a segment, or remove duration: it is derived from the segments' },
      ),
    );
    return undefined;
  }
  if (total > MAX_SECONDS) {
    problems.push(
      locator.problem(
        segmentsAt,
        `the segments add up to ${durations.join(' + ')} = ${total} s; a clip lasts at most ${MAX_SECONDS} s`,
        { hint: 'shorten a segment or split the scene in two' },
      ),
    );
    return undefined;
  }
  return ok ? { shotType: 'customize', duration: total } : undefined;
}

export interface PlannedScene {
  payload: KlingRequest;
  shots: Shot[];
}

/** The request for one scene, or undefined with the reasons appended to `problems`. */
export function planScene(
  scene: ResolvedScene,
  context: SceneContext,
  problems: Problem[],
): PlannedScene | undefined {
  const before = problems.length;
  const { locator, promptLimit } = context;
  const prompt = fillPrompt(
    scene.prompt,
    scene.at,
    { label: 'prompt', limit: promptLimit, required: true },
    context,
    problems,
  );
  const negativePrompt = fillPrompt(
    scene.negativePrompt,
    scene.at,
    { label: 'negative_prompt', limit: promptLimit, required: false },
    context,
    problems,
  );
  const segmentsAt = scene.segments?.at ?? scene.at;
  const multiPrompt: Shot[] = (scene.segments?.value ?? []).map((segment, index) => ({
    prompt:
      fillPrompt(
        { value: segment.prompt, at: [...segmentsAt, index, 'prompt'] },
        scene.at,
        { label: 'shot prompt', limit: MAX_SHOT_PROMPT_CHARS, required: true },
        context,
        problems,
      ) ?? '',
    duration: segment.duration,
  }));
  const layout = layoutShots(scene, locator, problems);
  if (!layout || problems.length > before || prompt === undefined || negativePrompt === undefined) {
    return undefined;
  }
  const payload: KlingRequest = {
    prompt,
    negative_prompt: negativePrompt,
    duration: layout.duration,
    aspect_ratio: scene.aspectRatio.value,
    cfg_scale: scene.cfgScale.value,
    sound: scene.sound.value,
    shot_type: layout.shotType,
    multi_prompt: multiPrompt,
  };
  const shots = multiPrompt.length > 0 ? multiPrompt : [{ prompt, duration: layout.duration }];
  return { payload, shots };
}
