/**
 * The takes of a variant's scenes, for its report: every take the store holds is linked into the
 * variant folder (`takes/01-street-take2.mp4`, a hard link, a copy where links are impossible), so
 * report.html plays them beside the film's and the folder stays whole when copied as a CI artifact.
 * The film's own take is its clip (`clips/...`) and is not linked twice. Links of takes no longer
 * stored (or of scenes no longer in the variant) are removed.
 */
import { copyFile, link, mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Plan } from '../plan/types.js';
import type { TakeReport } from '../report/types.js';
import type { Journal } from './journal/journal.js';
import type { OutputLayout } from './layout.js';
import { type SceneTakes, scenesTakes } from './takes.js';

export const TAKES_DIR = 'takes';

/** `01-street-take2.mp4`: named like the scene's clip, with the take. */
export function takeFileName(clipName: string, take: number): string {
  return `${path.basename(clipName, '.mp4')}-take${take}.mp4`;
}

/** Takes matter to a scene once it chooses a retake or another take is stored. */
function inPlay(scene: SceneTakes): boolean {
  return scene.chosen > 1 || scene.takes.some((take) => !take.chosen && take.stored);
}

/** Per scene of the plan, in order: its takes for report.json (undefined: no takes in play). */
export async function linkTakes(input: {
  plan: Plan;
  layout: OutputLayout;
  journal: Journal;
  provider: string;
  /** Every plan of the batch (their clips share the store; see scenesTakes). */
  batchPlans?: readonly Plan[];
  /** The film's clip of each scene (relative to the variant folder), as assembled. */
  clips: readonly (string | undefined)[];
}): Promise<(TakeReport[] | undefined)[]> {
  const { plan, layout } = input;
  const dir = path.join(layout.variantDir(plan.storyboard, plan.variant), TAKES_DIR);
  const scenes = await scenesTakes([plan], input);
  const wanted = new Set<string>();
  const result: (TakeReport[] | undefined)[] = [];
  for (const [index, scene] of scenes.entries()) {
    if (!inPlay(scene)) {
      result.push(undefined);
      continue;
    }
    const reports: TakeReport[] = [];
    for (const take of scene.takes) {
      let clip: string | undefined;
      if (take.chosen) clip = input.clips[index];
      else if (take.stored) {
        const name = takeFileName(plan.jobs[index]!.clipName, take.take);
        await mkdir(dir, { recursive: true });
        await linkOrCopy(layout.storedClip(take.id), path.join(dir, name));
        wanted.add(name);
        clip = `${TAKES_DIR}/${name}`;
      }
      reports.push({
        take: take.take,
        key: take.key,
        chosen: take.chosen,
        state: take.state,
        ...(take.requestId ? { requestId: take.requestId } : {}),
        estimatedCost: take.estimatedCost,
        ...(take.actualCost !== undefined ? { actualCost: take.actualCost } : {}),
        ...(clip ? { clip } : {}),
      });
    }
    result.push(reports);
  }
  const present = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    present.filter((name) => !wanted.has(name)).map((name) => rm(path.join(dir, name), { force: true })),
  );
  if (wanted.size === 0) await rm(dir, { recursive: true, force: true });
  return result;
}

/** A link to the stored clip, replaced when it points at another file (a take re-rendered). */
async function linkOrCopy(from: string, to: string): Promise<void> {
  const [source, target] = await Promise.all([stat(from), stat(to).catch(() => undefined)]);
  if (target && target.ino === source.ino && target.dev === source.dev) return;
  await rm(to, { force: true });
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}
