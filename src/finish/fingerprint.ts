/**
 * What a finished film is made of besides its clips: the cut (supers, transitions, music settings...)
 * and the bytes of the files it uses. Editing a super changes it, so the film is finished again from
 * the stored clips (nothing submitted); a rerun with nothing changed keeps film.mp4 as it is.
 */
import { createHash } from 'node:crypto';
import type { Cut } from '../cut/types.js';
import { sha256File } from '../run/film-current.js';

/** Bumped when the finishing recipe changes what it draws, so films made by an older one are redone. */
export const FINISH_RECIPE_VERSION = 1;

/** The cut without where things are written in the storyboard (moving a line changes no frame). */
function drawnCut(cut: Cut): unknown {
  const { assets: _assets, storyboard: _storyboard, variant: _variant, ...rest } = cut;
  return {
    ...rest,
    overlays: cut.overlays.map(({ source: _source, ...overlay }) => overlay),
    captions: cut.captions.map(({ source: _source, ...caption }) => caption),
    ...(cut.endCard ? { endCard: (({ textSource: _t, ...card }) => card)(cut.endCard) } : {}),
  };
}

export async function cutFingerprint(cut: Cut): Promise<string> {
  const files = [cut.music?.file, cut.endCard?.image, cut.font].filter((f): f is string => f !== undefined);
  const contents = await Promise.all(files.map(async (file) => [file, await sha256File(file)]));
  return createHash('sha256')
    .update(JSON.stringify({ recipe: FINISH_RECIPE_VERSION, cut: drawnCut(cut), files: contents }))
    .digest('hex');
}
