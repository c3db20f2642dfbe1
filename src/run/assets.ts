/**
 * The files a cut uses (music, end-card image, font), checked before anything is submitted: they
 * exist, can be read, are what they claim to be, and stay inside the storyboard's folder unless the
 * user allows otherwise (a storyboard from a pull request must not make CI read /etc/passwd). On
 * success the cut's paths become absolute, for the finishing stage.
 */
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Cut, CutAsset } from '../cut/types.js';
import { type Problem, StoryboardError } from '../errors.js';
import { probe } from '../media/probe.js';
import type { Plan } from '../plan/types.js';

export interface AssetOptions {
  cwd: string;
  /** `--allow-outside-assets`: files may be anywhere the user can read. */
  allowOutside: boolean;
}

const KIND_NAMES: Record<CutAsset['kind'], string> = { music: 'music', image: 'image', font: 'font' };

function problemAt(asset: CutAsset, message: string, hint?: string): Problem {
  const { file, line, col, path: at } = asset.source;
  return { file, line, col, path: at, message, ...(hint ? { hint } : {}) };
}

async function header(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(16);
    const { bytesRead } = await handle.read(buffer, 0, 16, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** TrueType (00 01 00 00, 'true'), OpenType/CFF ('OTTO') or a collection ('ttcf'). */
export function isFontHeader(bytes: Buffer): boolean {
  const tag = bytes.subarray(0, 4);
  return tag.equals(Buffer.from([0, 1, 0, 0])) || ['OTTO', 'true', 'ttcf'].includes(tag.toString('latin1'));
}

/** PNG, JPEG or WebP: what the finishing stage's overlay reads as a still. */
export function isImageHeader(bytes: Buffer): boolean {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return true;
  if (bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))) return true;
  return (
    bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP'
  );
}

async function kindProblem(asset: CutAsset, file: string): Promise<string | undefined> {
  const bytes = await header(file);
  if (asset.kind === 'font') {
    return isFontHeader(bytes) ? undefined : 'is not a TrueType or OpenType font (.ttf, .otf)';
  }
  if (asset.kind === 'image') return isImageHeader(bytes) ? undefined : 'is not a PNG, JPEG or WebP image';
  try {
    const info = await probe(file);
    return info.audio ? undefined : 'has no audio stream';
  } catch {
    return 'is not an audio file ffprobe can read';
  }
}

/** The asset's absolute path, or the problem that stops it. */
async function checkAsset(
  asset: CutAsset,
  folder: string,
  options: AssetOptions,
): Promise<{ file: string } | { problem: Problem }> {
  const name = KIND_NAMES[asset.kind];
  const file = path.resolve(folder, asset.written);
  let real: string;
  try {
    real = await realpath(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = `${name} file '${asset.written}' ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}`;
    return {
      problem: problemAt(asset, message, `paths are relative to the storyboard's folder (${folder})`),
    };
  }
  const realFolder = await realpath(folder);
  const inside = real === realFolder || real.startsWith(realFolder + path.sep);
  if (!inside && !options.allowOutside) {
    return {
      problem: problemAt(
        asset,
        `${name} file '${asset.written}' is outside the storyboard's folder (${real})`,
        'copy it beside the storyboard, or pass --allow-outside-assets if you trust this storyboard',
      ),
    };
  }
  try {
    const wrong = await kindProblem(asset, real);
    if (wrong) return { problem: problemAt(asset, `${name} file '${asset.written}' ${wrong}`) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { problem: problemAt(asset, `${name} file '${asset.written}' cannot be read (${code})`) };
  }
  return { file: real };
}

/** The cut with its asset paths made absolute. */
export function resolveCutAssets(cut: Cut, resolved: ReadonlyMap<string, string>): Cut {
  const at = (written: string) => resolved.get(written) ?? written;
  return {
    ...cut,
    assetsResolved: true,
    ...(cut.music ? { music: { ...cut.music, file: at(cut.music.file) } } : {}),
    ...(cut.endCard?.image ? { endCard: { ...cut.endCard, image: at(cut.endCard.image) } } : {}),
    ...(cut.font !== undefined ? { font: at(cut.font) } : {}),
  };
}

/** Every plan's assets checked (each file once); throws StoryboardError (exit 2) with every problem. */
export async function checkPlanAssets(plans: Plan[], options: AssetOptions): Promise<Plan[]> {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const checked: Plan[] = [];
  for (const plan of plans) {
    if (!plan.cut || plan.cut.assets.length === 0) {
      checked.push(plan);
      continue;
    }
    const folder = path.dirname(path.resolve(options.cwd, plan.file));
    const resolved = new Map<string, string>();
    for (const asset of plan.cut.assets) {
      const result = await checkAsset(asset, folder, options);
      if ('file' in result) {
        resolved.set(asset.written, result.file);
        continue;
      }
      const id = `${result.problem.line}:${result.problem.col}:${result.problem.message}`;
      if (!seen.has(id)) problems.push(result.problem);
      seen.add(id);
    }
    checked.push({ ...plan, cut: resolveCutAssets(plan.cut, resolved) });
  }
  if (problems.length > 0)
    throw new StoryboardError(problems.sort((a, b) => a.line - b.line || a.col - b.col));
  return checked;
}
