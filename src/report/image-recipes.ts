/**
 * ffmpeg argument lists for the report's images, as pure functions. Only filters present in the
 * bundled 2018 ffmpeg are used (scale, pad, drawtext, concat, tile, color).
 */
import { filter } from '../media/filtergraph.js';

const QUIET = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
/** One JPEG frame to a file of any name (our temporary names end in `.partial`, which ffmpeg cannot guess). */
const SINGLE_JPEG = ['-frames:v', '1', '-q:v', '3', '-f', 'image2', '-update', '1', '-y'];

/** Thumbnails fit in this box, keeping their aspect ratio: 320x180 for 16:9, 180x320 for 9:16. */
export const THUMBNAIL_BOX = 320;

/** Thumbnails per ffmpeg run (see thumbnailsArgs). */
export const THUMBNAILS_PER_RUN = 10;

export interface ThumbnailJob {
  clip: string;
  output: string;
  /** Also the same first frame at full size, here: a poster (see posterArgs), from the same decode. */
  poster?: string;
}

/**
 * The first frame of each clip, scaled down to fit THUMBNAIL_BOX, in one ffmpeg run: starting ffmpeg
 * costs more than a thumbnail, and one decoder thread per input (`-threads 1`) decodes only the
 * frame asked for, where frame threading decodes several before the first comes out (40 thumbnails
 * of 720p clips: 2.0 s of CPU in batches of 10 against 4.9 s one by one; the same pictures).
 */
export function thumbnailsArgs(jobs: readonly ThumbnailJob[]): string[] {
  return [
    ...QUIET,
    ...jobs.flatMap((job) => ['-threads', '1', '-i', job.clip]),
    ...jobs.flatMap((job, index) => [
      '-map',
      `${index}:v:0`,
      '-vf',
      fitInside(THUMBNAIL_BOX, THUMBNAIL_BOX),
      ...SINGLE_JPEG,
      job.output,
      ...(job.poster ? ['-map', `${index}:v:0`, ...SINGLE_JPEG, job.poster] : []),
    ]),
  ];
}

/** The first frame of `clip`, scaled down to fit THUMBNAIL_BOX. */
export function thumbnailArgs(clip: string, output: string): string[] {
  return thumbnailsArgs([{ clip, output }]);
}

/** The film's first frame at its own size, for the player's poster (a thumbnail scaled up is blurry). */
export function posterArgs(film: string, output: string): string[] {
  return [...QUIET, '-i', film, ...SINGLE_JPEG, output];
}

export interface SheetTile {
  /** A thumbnail image; absent for a scene without a clip (drawn as a grey placeholder). */
  image?: string;
  /** Printed under the tile, like `01  street  ·  10 s`; storyreel builds it from safe scene ids. */
  label: string;
}

export interface ContactSheetRecipe {
  tiles: SheetTile[];
  /** A UTF-8 file holding the sheet's heading (user text: read from a file, never parsed by ffmpeg). */
  headingFile?: string;
  /** Size of the picture in each tile. */
  tileWidth: number;
  tileHeight: number;
  columns: number;
  /** Absent when no font was found: the sheet then has no text. */
  fontFile?: string;
  output: string;
  /**
   * A file holding `labelledImageList(tiles)`, given when every tile has an image and all decode to
   * frames of one size and format: the sheet then reads them as one input (see oneInputSheetArgs).
   */
  imageList?: string;
}

const LABEL_HEIGHT = 34;
const LABEL_FONT_SIZE = 15;
const HEADING_HEIGHT = 56;
const GAP = 12;
const MARGIN = 16;
const PAPER = 'white';
const INK = '0x1b1f24';
const LETTERBOX = '0x0e1116';
const PLACEHOLDER = '0x5b6470';

const MAX_COLUMNS = 8;
const TARGET_ASPECT = 16 / 9;
/** What an empty cell costs in the layout choice, against a sheet a bit off 16:9. */
const EMPTY_CELL_PENALTY = 0.1;

/**
 * Grid columns for `count` tiles: the layout whose whole sheet is closest to 16:9 (what chat apps and
 * slides show best), with few empty cells. Four landscape scenes make 2x2, four portrait ones a row.
 */
export function sheetColumns(count: number, tileWidth: number, tileHeight: number): number {
  let best = { columns: 1, score: Number.POSITIVE_INFINITY };
  for (let columns = 1; columns <= Math.min(Math.max(count, 1), MAX_COLUMNS); columns += 1) {
    const rows = Math.ceil(count / columns);
    const aspect = (columns * tileWidth) / (rows * (tileHeight + LABEL_HEIGHT));
    const empty = rows * columns - count;
    const score = Math.abs(Math.log(aspect / TARGET_ASPECT)) + EMPTY_CELL_PENALTY * empty;
    if (score < best.score) best = { columns, score };
  }
  return best.columns;
}

/**
 * One tile per scene, in order: each picture letterboxed into the same box (scenes may differ in
 * aspect ratio), a label strip under it, all concatenated as frames and laid out by `tile`.
 */
export function contactSheetArgs(recipe: ContactSheetRecipe): string[] {
  const { tiles, tileWidth, tileHeight, columns } = recipe;
  if (tiles.length === 0) throw new RangeError('a contact sheet needs at least one tile');
  if (recipe.imageList) return oneInputSheetArgs(recipe, recipe.imageList);
  const inputs = tiles.flatMap((tile) =>
    tile.image
      ? ['-i', tile.image]
      : [
          '-f',
          'lavfi',
          '-i',
          filter('color', { c: PLACEHOLDER, s: `${tileWidth}x${tileHeight}`, d: 1, r: 1 }),
        ],
  );
  const chains = tiles.map((tile, index) => `[${index}:v]${tileChain(recipe, tile)}[t${index}]`);
  const sheet = [
    `${tiles.map((_, index) => `[t${index}]`).join('')}concat=n=${tiles.length}:v=1:a=0`,
    tileFilter(tiles.length, columns),
    ...headingFilters(recipe),
  ].join(',');
  return [
    ...QUIET,
    ...inputs,
    '-filter_complex',
    [...chains, sheet].join(';'),
    ...SINGLE_JPEG,
    recipe.output,
  ];
}

/**
 * The same sheet from one input: the images, all of one size, read in order by the concat demuxer
 * from `labelledImageList`, each boxed and labelled as above, then tiled. An input per tile costs
 * ffmpeg an open, a probe and a filter chain each: 200 scenes took 460 ms that way and 190-240 ms
 * this way. Each label rides on its picture as packet metadata and one drawtext draws every frame's
 * own: a drawtext per label on the tiled sheet cost ~0.3 ms each (200 tiles: 194-250 -> 138-168 ms,
 * the pixels the same), and drawn on its tile a label is cut at the tile's edge exactly as the
 * per-tile recipe cuts it. Images of different sizes cannot take this path: a frame of another
 * size mid-stream makes ffmpeg rebuild the graph, and `tile` would lose the tiles it holds.
 */
function oneInputSheetArgs(recipe: ContactSheetRecipe, imageList: string): string[] {
  const { tileWidth: width, tileHeight: height, columns, fontFile } = recipe;
  const sheet = [
    ...boxSteps(width, height),
    ...(fontFile ? [labelFromMetadata(fontFile, height)] : []),
    tileFilter(recipe.tiles.length, columns),
    ...headingFilters(recipe),
  ].join(',');
  return [
    ...QUIET,
    ...['-f', 'concat', '-safe', '0', '-i', imageList],
    '-filter_complex',
    `[0:v]${sheet}`,
    ...SINGLE_JPEG,
    recipe.output,
  ];
}

/** The packet metadata key that carries a tile's label (see labelledImageList). */
const LABEL_KEY = 'storyreel_label';

/**
 * The concat list of a one-input sheet: each tile's image (absolute paths: the demuxer resolves a
 * relative one from the list's folder), with its label as the packets' metadata. Every tile needs an
 * image. The value is parsed twice by ffmpeg, as the directive's argument and as a `key=value`
 * pair, so it is quoted twice; inside single quotes only the quote itself is special.
 */
export function labelledImageList(tiles: readonly SheetTile[]): string {
  const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
  const lines = tiles.map((tile) => {
    if (!tile.image) throw new RangeError('a one-input contact sheet needs an image for every tile');
    return `file ${quote(tile.image)}\nfile_packet_metadata ${quote(`${LABEL_KEY}=${quote(tile.label)}`)}\n`;
  });
  return `ffconcat version 1.0\n${lines.join('')}`;
}

/** Each frame's own label (its packets' metadata), where labelText puts a tile's. */
function labelFromMetadata(fontFile: string, height: number): string {
  return filter('drawtext', {
    fontfile: fontFile,
    text: `%{metadata:${LABEL_KEY}}`,
    fontsize: LABEL_FONT_SIZE,
    fontcolor: INK,
    x: LABEL_INSET,
    y: `${height}+22-ascent`,
  });
}

/** Lays the tiles out, `columns` to a row, as the labels' places assume. */
function tileFilter(count: number, columns: number): string {
  const rows = Math.ceil(count / columns);
  return filter('tile', { layout: `${columns}x${rows}`, padding: GAP, margin: MARGIN, color: PAPER });
}

/** A picture letterboxed into the tile's box, with the strip for its label under it. */
function boxSteps(width: number, height: number): string[] {
  return [
    fitInside(width, height),
    filter('pad', { w: width, h: height, x: '(ow-iw)/2', y: '(oh-ih)/2', color: LETTERBOX }),
    filter('pad', { w: width, h: height + LABEL_HEIGHT, x: 0, y: 0, color: PAPER }),
  ];
}

/** A tile's label, for a tile whose top left corner is at (left, top). */
function labelText(fontFile: string, label: string, left: number, top: number, height: number): string {
  // `ascent` is the text's own: subtracting it puts every label on the same baseline.
  return text(fontFile, label, LABEL_FONT_SIZE, INK, String(left + LABEL_INSET), `${top + height}+22-ascent`);
}

const LABEL_INSET = 2;

function tileChain(recipe: ContactSheetRecipe, tile: SheetTile): string {
  const { tileWidth: width, tileHeight: height, fontFile } = recipe;
  const steps = boxSteps(width, height);
  if (fontFile) {
    steps.push(labelText(fontFile, tile.label, 0, 0, height));
    if (!tile.image)
      steps.push(text(fontFile, 'not rendered', 16, 'white', '(w-text_w)/2', `(${height}-text_h)/2`));
  }
  // concat needs identical frame properties from every input; JPEGs and lavfi colours differ.
  steps.push('setsar=1', 'format=yuvj420p');
  return steps.join(',');
}

function headingFilters(recipe: ContactSheetRecipe): string[] {
  if (!(recipe.headingFile && recipe.fontFile)) return [];
  return [
    filter('pad', {
      w: 'iw',
      h: `ih+${HEADING_HEIGHT - MARGIN}`,
      x: 0,
      y: HEADING_HEIGHT - MARGIN,
      color: PAPER,
    }),
    filter('drawtext', {
      fontfile: recipe.fontFile,
      textfile: recipe.headingFile,
      expansion: 'none',
      fontsize: 22,
      fontcolor: INK,
      x: MARGIN + 4,
      y: MARGIN + 4,
    }),
  ];
}

function text(fontFile: string, content: string, size: number, colour: string, x: string, y: string): string {
  return filter('drawtext', {
    fontfile: fontFile,
    text: content,
    expansion: 'none',
    fontsize: size,
    fontcolor: colour,
    x,
    y,
  });
}

function fitInside(width: number, height: number): string {
  return filter('scale', { w: width, h: height, force_original_aspect_ratio: 'decrease' });
}
