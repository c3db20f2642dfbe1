/**
 * The files a cut uses (music, end-card image, font), checked before anything is submitted: they
 * exist, can be read, are what they claim to be, and stay inside the storyboard's folder unless the
 * user allows otherwise (a storyboard from a pull request must not make CI read /etc/passwd). On
 * success the cut's paths become absolute, for the finishing stage.
 */
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { superFontSize, titleSafe, wrapWords } from '../cut/layout.js';
import type { Cut, CutAsset, SourceRef } from '../cut/types.js';
import { MediaToolError, type Problem, StoryboardError } from '../errors.js';
import { readHead } from '../files/head.js';
import { ffprobeProblem } from '../media/binaries.js';
import { fontCoverage, missingGlyphs, textWidth } from '../media/font-cmap.js';
import { probe } from '../media/probe.js';
import { findFont } from '../media/synth.js';
import type { Plan } from '../plan/types.js';

export { wrapWords };

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
  const bytes = await readHead(file, 16);
  if (asset.kind === 'font') {
    return isFontHeader(bytes) ? undefined : 'is not a TrueType or OpenType font (.ttf, .otf)';
  }
  if (asset.kind === 'image') return isImageHeader(bytes) ? undefined : 'is not a PNG, JPEG or WebP image';
  try {
    const info = await probe(file);
    return info.audio ? undefined : 'has no audio stream';
  } catch (error) {
    // The file is blamed only when ffprobe itself runs.
    if (error instanceof MediaToolError) throw error;
    const toolProblem = await ffprobeProblem();
    if (toolProblem) throw new MediaToolError(toolProblem);
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

/** Texts the finishing stage draws with the cut's font, with where each is written. */
function drawnTexts(cut: Cut): { text: string; source: SourceRef | undefined }[] {
  const burned = cut.captionMode === 'burn' || cut.captionMode === 'both';
  return [
    ...cut.overlays.map((o) => ({ text: o.text, source: o.source })),
    ...(burned ? cut.captions.map((c) => ({ text: c.text, source: c.source })) : []),
    ...(cut.endCard?.text ? [{ text: cut.endCard.text, source: cut.endCard.textSource }] : []),
  ];
}

/**
 * A super in Japanese with a Latin-only font would be drawn as empty boxes: refused with the
 * characters and which font to give. (Right-to-left scripts are covered by the bundled DejaVu Sans.)
 */
async function glyphProblems(cut: Cut, planFile: string): Promise<Problem[]> {
  const texts = drawnTexts(cut);
  const font = cut.font ?? findFont();
  if (texts.length === 0 || !font) return [];
  const hasGlyph = fontCoverage(await readFile(font));
  if (!hasGlyph) return [];
  const fontName = cut.font ? `the font ${path.basename(cut.font)}` : 'the bundled font (DejaVu Sans)';
  const problems: Problem[] = [];
  for (const { text, source } of texts) {
    const missing = missingGlyphs(text, hasGlyph);
    if (missing.length === 0) continue;
    const shown = missing
      .slice(0, 8)
      .map((c) => `'${c}' U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);
    problems.push({
      file: source?.file ?? planFile,
      line: source?.line ?? 0,
      col: source?.col ?? 0,
      path: source?.path ?? '',
      message: `${fontName} has no glyphs for ${shown.join(', ')}${missing.length > 8 ? ` and ${missing.length - 8} more` : ''}`,
      hint: 'set finish.font to a font that has them (for Japanese, Chinese or Korean: Noto Sans CJK; for Arabic or Hebrew: Noto Sans Arabic/Hebrew or DejaVu Sans)',
    });
  }
  return problems;
}

/**
 * A super wider than the title-safe area at the finishing stage's size is wrapped (`wrapAt`, the
 * longest line in characters that fits); one whose single word is wider is refused with the widths.
 */
function fitTexts(cut: Cut, font: Buffer, planFile: string): { cut: Cut; problems: Problem[] } {
  const size = superFontSize(cut.aspectRatio);
  const safe = titleSafe(cut.aspectRatio).width;
  const problems: Problem[] = [];
  const wrapLimit = (text: string, source: SourceRef | undefined): number | undefined => {
    const width = textWidth(font, text, size);
    if (width === undefined || width <= safe) return undefined;
    const words = text.split(/\s+/).filter(Boolean);
    const widest = words.reduce((a, b) =>
      (textWidth(font, b, size) ?? 0) > (textWidth(font, a, size) ?? 0) ? b : a,
    );
    const widestPx = textWidth(font, widest, size) ?? 0;
    if (widestPx > safe) {
      problems.push({
        file: source?.file ?? planFile,
        line: source?.line ?? 0,
        col: source?.col ?? 0,
        path: source?.path ?? '',
        message: `'${widest}' is ${Math.round(widestPx)} px wide at ${size} px; the title-safe width of ${cut.aspectRatio} is ${safe} px, and a word cannot be wrapped`,
        hint: 'shorten the word, or break it with a space',
      });
      return undefined;
    }
    for (let limit = [...text].length - 1; limit > 0; limit--) {
      const lines = wrapWords(text, limit);
      if (lines.every((line) => (textWidth(font, line, size) ?? 0) <= safe)) return limit;
    }
    return undefined;
  };
  const overlays = cut.overlays.map((o) => {
    const wrapAt = wrapLimit(o.text, o.source);
    return wrapAt ? { ...o, wrapAt } : o;
  });
  const cardWrap = cut.endCard?.text ? wrapLimit(cut.endCard.text, cut.endCard.textSource) : undefined;
  const endCard = cut.endCard && cardWrap ? { ...cut.endCard, wrapAt: cardWrap } : cut.endCard;
  return { cut: { ...cut, overlays, ...(endCard ? { endCard } : {}) }, problems };
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
  for (const [i, plan] of checked.entries()) {
    if (!plan.cut || problems.length > 0) continue;
    const found = await glyphProblems(plan.cut, plan.file);
    const fontFile = plan.cut.font ?? findFont();
    if (found.length === 0 && fontFile && drawnTexts(plan.cut).length > 0) {
      const fitted = fitTexts(plan.cut, await readFile(fontFile), plan.file);
      checked[i] = { ...plan, cut: fitted.cut };
      found.push(...fitted.problems);
    }
    for (const problem of found) {
      const id = `${problem.line}:${problem.col}:${problem.message}`;
      if (!seen.has(id)) problems.push(problem);
      seen.add(id);
    }
  }
  if (problems.length > 0)
    throw new StoryboardError(problems.sort((a, b) => a.line - b.line || a.col - b.col));
  return checked;
}
