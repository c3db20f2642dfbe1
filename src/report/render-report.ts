/**
 * report.html as a pure function of report.json plus the images that exist beside it. No I/O here:
 * html.ts makes the thumbnails and the contact sheet, then calls this.
 */
import {
  elapsed,
  filmBadge,
  formatDuration,
  formatTimestamp,
  formatUsd,
  plural,
  renderedCount,
  sceneNumber,
  shortKey,
  stateBadge,
  type Tone,
  takeThumbnailKey,
} from './format.js';
import { Html, html, relativeUrl } from './html-template.js';
import { STYLES } from './styles.js';
import type { FilmReport, SceneReport } from './types.js';

/** What exists next to report.json, as paths relative to the variant folder. */
export interface ReportAssets {
  /** Thumbnail (first frame) per scene id; a scene without a clip has none. */
  thumbnails: Readonly<Record<string, string>>;
  /** Absent when no scene has a clip yet. */
  contactSheet?: string;
  /** False when the film file is not on disk (the render is incomplete, or it was deleted). */
  filmAvailable: boolean;
  /** The film's first frame at full size; without it the first thumbnail is the poster. */
  poster?: string;
}

export const FILM_FILE = 'film.mp4';

export function renderReportHtml(report: FilmReport, assets: ReportAssets): string {
  const heading = `${report.title} · ${report.variant}`;
  return page(
    heading,
    html`
    ${masthead(report)}
    ${totals(report)}
    <section aria-labelledby="film-heading">
      <h2 id="film-heading">Film</h2>
      ${filmSection(report, assets)}
    </section>
    ${contactSheetSection(report, assets)}
    <section aria-labelledby="scenes-heading">
      <h2 id="scenes-heading">Scenes <span class="chip">${report.scenes.length}</span></h2>
      <div class="cards">${report.scenes.map((scene) => sceneCard(scene, assets.thumbnails[scene.scene], report, assets.thumbnails))}</div>
    </section>
    ${footnote(report)}`,
  );
}

/** The document shell shared by the report and the index. */
export function page(title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="storyreel">
<link rel="icon" href="data:,">
<title>${title}</title>
<style>${new Html(STYLES)}</style>
</head>
<body>
<main class="page">${body}
</main>
</body>
</html>
`.value;
}

export function badge(label: string, tone: Tone, extraClass = ''): Html {
  return html`<span class="${`badge tone-${tone} ${extraClass}`.trim()}">${label}</span>`;
}

function masthead(report: FilmReport): Html {
  const status = filmBadge(report);
  return html`
    <header class="masthead">
      <div>
        <p class="eyebrow">storyreel report</p>
        <h1>${report.title}</h1>
        <p class="meta-line">
          <span>Storyboard <code>${report.file}</code></span>
          <span>Variant <strong>${report.variant}</strong></span>
          <span>Provider ${report.provider}</span>
          <span>Rendered <time datetime="${report.finishedAt}">${formatTimestamp(report.finishedAt)}</time></span>
        </p>
      </div>
      ${badge(`Film ${status.label.toLowerCase()}`, status.tone, 'large')}
    </header>`;
}

function totals(report: FilmReport): Html {
  const filmSeconds = report.film?.duration ?? sumDurations(report.scenes);
  const actual = report.cost.actualTotal;
  if (report.free) {
    // A preview pays nothing: its figures are what RunComfy would charge, and say so.
    return html`
    <dl class="stats" aria-label="Totals">
      <div class="stat"><dt>Scenes rendered</dt><dd>${renderedCount(report)} of ${report.scenes.length}</dd></div>
      <div class="stat"><dt>${report.film ? 'Film duration' : 'Planned duration'}</dt><dd>${formatDuration(filmSeconds)}</dd></div>
      ${loudnessStat(report)}
      <div class="stat"><dt>Cost, this run</dt><dd>Nothing<small>${`${report.provider} costs nothing`}</small></dd></div>
      <div class="stat"><dt>On RunComfy, whole film</dt><dd>${formatUsd(report.cost.estimatedTotal)}<small>estimate from the price table</small></dd></div>
    </dl>`;
  }
  return html`
    <dl class="stats" aria-label="Totals">
      <div class="stat"><dt>Scenes rendered</dt><dd>${renderedCount(report)} of ${report.scenes.length}</dd></div>
      <div class="stat"><dt>${report.film ? 'Film duration' : 'Planned duration'}</dt><dd>${formatDuration(filmSeconds)}</dd></div>
      ${loudnessStat(report)}
      <div class="stat"><dt>Estimated cost, whole film</dt><dd>${formatUsd(report.cost.estimatedTotal)}<small>estimate from the price table</small></dd></div>
      <div class="stat"><dt>Estimated cost, this run</dt><dd>${formatUsd(report.cost.estimatedThisRun)}<small>${thisRunNote(report)}</small></dd></div>
      <div class="stat"><dt>Actual cost, this run</dt><dd>${report.cost.actualThisRun === undefined ? 'not reported' : formatUsd(report.cost.actualThisRun)}<small>as reported by the provider</small></dd></div>
      <div class="stat"><dt>Actual cost, whole film</dt><dd>${actual === undefined ? 'not reported' : formatUsd(actual)}<small>as reported by the provider, whoever paid</small></dd></div>
    </dl>`;
}

/** A finished film's loudness as measured on film.mp4 (the target beside it). */
function loudnessStat(report: FilmReport): Html | '' {
  const measured = report.film?.loudness;
  if (!measured) return '';
  const target = report.cut?.loudness;
  const peak = Number.isFinite(measured.truePeak) ? `${measured.truePeak.toFixed(1)} dBTP` : 'silent';
  return html`<div class="stat"><dt>Loudness</dt><dd>${`${measured.integrated.toFixed(1)} LUFS`}<small>${`measured on the film; true peak ${peak}${target !== undefined ? `; target ${target} LUFS` : ''}`}</small></dd></div>`;
}

/** The supers and captions of a finished film that fall in this scene, on the film's clock. */
function finishedTexts(scene: SceneReport, report: FilmReport): Html | '' {
  const cut = report.cut;
  if (!cut) return '';
  const when = (item: { filmStart: number; duration: number }) =>
    `${formatDuration(item.filmStart)} to ${formatDuration(item.filmStart + item.duration)}`;
  const supers = cut.overlays.filter((o) => o.scene === scene.scene);
  const captions = cut.captions.filter((c) => c.scene === scene.scene);
  const list = (
    label: string,
    items: { text: string; filmStart: number; duration: number; position?: string }[],
  ) =>
    items.length === 0
      ? ''
      : html`<div class="finish-texts"><span class="label">${label}</span><ul>${items.map(
          (item) =>
            html`<li><span class="secs">${when(item)}${item.position ? ` · ${item.position}` : ''}</span> <q>${item.text}</q></li>`,
        )}</ul></div>`;
  return html`${list('Supers', supers)}${list(`Captions (${cut.captionMode})`, captions)}`;
}

/** Why "this run" can be less than the film: clips reused, or paid under another film of the run. */
function thisRunNote(report: FilmReport): string {
  const elsewhere = report.scenes.filter((scene) => scene.paidBy).length;
  return elsewhere > 0
    ? `${plural(elsewhere, 'clip')} paid under another film of this run; reused clips cost nothing`
    : 'estimate: reused clips cost nothing';
}

function filmSection(report: FilmReport, assets: ReportAssets): Html {
  if (!assets.filmAvailable) return missingFilmNotice(report);
  const firstScene = report.scenes[0];
  const poster = assets.poster ?? (firstScene ? assets.thumbnails[firstScene.scene] : undefined);
  const source = relativeUrl(report.film?.path ?? FILM_FILE);
  return html`
      <div class="film">
        <video controls preload="metadata" playsinline src="${source}"${poster ? html` poster="${relativeUrl(poster)}"` : ''}>
          Your browser cannot play this video: <a href="${source}">download the film</a>.
        </video>
      </div>`;
}

function missingFilmNotice(report: FilmReport): Html {
  const missing = report.scenes.filter((scene) => scene.status !== 'verified');
  // The CLI's own line (with --out and every other flag) when the report has it; the bare
  // command is only for a report.json written by an older storyreel or a library call.
  const rerun = report.resumeCommand ?? `storyreel render ${report.file} --variant ${report.variant}`;
  const reason = report.filmError
    ? html`Every scene is rendered, but the film could not be made. The clips are kept; fix the cause and
          run the command below again: it makes the film and pays nothing.</p>
        <p class="error">${report.filmError.message}`
    : report.status === 'incomplete'
      ? html`The film was not joined because ${plural(missing.length, 'scene')} of ${report.scenes.length}
          ${missing.length === 1 ? 'is' : 'are'} not rendered yet (see the cards below). Rendered scenes are kept.`
      : html`The report says the film is complete, but <code>${report.film?.path ?? FILM_FILE}</code> is not in this folder.`;
  return html`
      <div class="notice" role="status">
        <strong>No film to play.</strong>
        <p>${reason}</p>
        <p>To resume, run <code>${rerun}</code>.</p>
      </div>`;
}

function contactSheetSection(report: FilmReport, assets: ReportAssets): Html | '' {
  if (!assets.contactSheet) return '';
  return html`
    <section aria-labelledby="sheet-heading">
      <h2 id="sheet-heading">Contact sheet</h2>
      <figure class="sheet">
        <img src="${relativeUrl(assets.contactSheet)}" alt="${`Contact sheet of ${report.title} (${report.variant}): the first frame of each of its ${plural(report.scenes.length, 'scene')}, in order`}">
        <figcaption>First frame of every scene, in film order. <a href="${relativeUrl(assets.contactSheet)}">Open full size</a></figcaption>
      </figure>
    </section>`;
}

function sceneCard(
  scene: SceneReport,
  thumbnail: string | undefined,
  report: FilmReport,
  thumbnails: Readonly<Record<string, string>>,
): Html {
  const status = stateBadge(scene.status);
  const failed = status.tone === 'bad' || status.tone === 'warn';
  return html`
        <article class="${failed ? 'card is-bad' : 'card'}" id="${`scene-${scene.scene}`}" aria-labelledby="${`scene-${scene.scene}-title`}">
          ${sceneThumbnail(scene, thumbnail)}
          <div class="card-body">
            <div class="card-head">
              <h3 id="${`scene-${scene.scene}-title`}">${sceneNumber(scene)} <code>${scene.scene}</code></h3>
              ${badge(status.label, status.tone)}
            </div>
            <div class="tags">
              ${originChip(scene)}
              <span class="chip">${scene.aspectRatio}</span>
              <span class="chip">${scene.sound ? 'Sound on' : 'No sound'}</span>
              <span class="chip">${formatDuration(scene.duration)}</span>
            </div>
            ${scene.error ? html`<div class="error"><strong>${errorTitle(scene)}:</strong> ${scene.error.message}</div>` : ''}
            <div><span class="label">Prompt</span><p class="prompt">${scene.prompt}</p></div>
            ${shotTimeline(scene)}
            ${finishedTexts(scene, report)}
            ${sceneFacts(scene, report.storyboard, report.free)}
            ${takesSection(scene, thumbnail, thumbnails, report.free)}
          </div>
        </article>`;
}

/** Every take the store holds of this scene, side by side: picture, player, request id, cost. */
function takesSection(
  scene: SceneReport,
  thumbnail: string | undefined,
  thumbnails: Readonly<Record<string, string>>,
  free = false,
): Html | '' {
  const takes = scene.takes ?? [];
  if (takes.length === 0) return '';
  const stored = takes.filter((take) => take.clip).length;
  const chosen = takes.find((take) => take.chosen);
  const tiles = takes.map((take) => {
    const picture = take.chosen ? thumbnail : thumbnails[takeThumbnailKey(scene.scene, take.take)];
    const what = `take ${take.take} of scene ${sceneNumber(scene)}, ${scene.scene}`;
    const player = take.clip
      ? html`<video controls preload="none" src="${relativeUrl(take.clip)}"${picture ? html` poster="${relativeUrl(picture)}"` : ''} aria-label="${`Play ${what}`}"></video>`
      : html`<div class="no-clip">Not stored: ${stateBadge(take.state).label.toLowerCase()}</div>`;
    const cost = free
      ? `${formatUsd(take.estimatedCost)} on RunComfy (estimate)`
      : `${formatUsd(take.estimatedCost)} estimated${take.actualCost === undefined ? '' : `, ${formatUsd(take.actualCost)} reported`}`;
    return html`
              <li class="${take.chosen ? 'take is-chosen' : 'take'}" data-take="${String(take.take)}">
                ${player}
                <div class="take-head"><strong>Take ${String(take.take)}</strong>${take.chosen ? html` <span class="chip generated">In the film</span>` : ''}</div>
                <dl class="facts">
                  <dt>Request id</dt><dd>${take.requestId ? html`<code>${take.requestId}</code>` : 'none (not submitted)'}</dd>
                  <dt>Cost</dt><dd>${cost}</dd>
                  <dt>Job key</dt><dd><code title="${take.key}">${shortKey(take.key)}</code></dd>
                </dl>
              </li>`;
  });
  return html`
            <div class="takes">
              <span class="label">Takes · ${plural(stored, 'take')} stored${chosen ? `, take ${chosen.take} in the film` : ''} (choose with <code>take:</code> in the storyboard)</span>
              <ol class="take-list" aria-label="${`Takes of ${scene.scene}`}">${tiles}</ol>
            </div>`;
}

function sceneThumbnail(scene: SceneReport, thumbnail: string | undefined): Html {
  const shape =
    scene.aspectRatio === '9:16' ? 'thumb portrait' : scene.aspectRatio === '1:1' ? 'thumb square' : 'thumb';
  const content = thumbnail
    ? html`<img src="${relativeUrl(thumbnail)}" alt="${`First frame of scene ${sceneNumber(scene)}, ${scene.scene}`}">`
    : html`<div class="no-clip">No clip yet: ${stateBadge(scene.status).label.toLowerCase()}</div>`;
  return html`<figure class="${shape}">${content}<span class="number" aria-hidden="true">${sceneNumber(scene)}</span></figure>`;
}

function originChip(scene: SceneReport): Html | '' {
  if (scene.status !== 'verified') return '';
  return scene.reused
    ? html`<span class="chip reused" title="Taken from the clip store: an earlier run or another variant paid for it">Reused</span>`
    : html`<span class="chip generated">Generated this run</span>`;
}

function errorTitle(scene: SceneReport): string {
  const label = stateBadge(scene.status).label;
  return scene.error?.kind ? `${label} (${scene.error.kind})` : label;
}

/** Shots as coloured segments whose widths are proportional to their durations. */
function shotTimeline(scene: SceneReport): Html {
  const shots = scene.shots.length > 0 ? scene.shots : [{ prompt: scene.prompt, duration: scene.duration }];
  const total = sumDurations(shots);
  const single = shots.length === 1;
  const segments = shots.map(
    (shot, index) =>
      html`<li class="${`shot-${index % 6}`}" style="${`flex: ${shot.duration} 1 0`}" title="${shot.prompt}">${single ? 'Single shot · ' : `${index + 1} · `}${formatDuration(shot.duration)}</li>`,
  );
  const list = single
    ? ''
    : html`<ol class="shot-list">${shots.map(
        (shot, index) =>
          html`<li><span class="${`swatch shot-${index % 6}`}" aria-hidden="true"></span><span class="secs">${formatDuration(shot.duration)}</span><span>${shot.prompt}</span></li>`,
      )}</ol>`;
  return html`
            <div>
              <span class="label">${single ? 'Timeline' : `Timeline · ${shots.length} shots`}</span>
              <ol class="timeline" aria-label="${`Shots of ${scene.scene}, widths proportional to duration`}">${segments}</ol>
              <div class="ticks" aria-hidden="true"><span>0 s</span><span>${formatDuration(total)}</span></div>
              ${list}
            </div>`;
}

function sceneFacts(scene: SceneReport, storyboard: string, free = false): Html {
  if (free) {
    // A preview completes the moment it is asked: no charge, no wait worth showing.
    return html`
            <dl class="facts">
              <dt>On RunComfy</dt><dd>${formatUsd(scene.estimatedCost)} (estimate)</dd>
              <dt>Request id</dt><dd>${scene.requestId ? html`<code>${scene.requestId}</code>` : 'none (not submitted)'}</dd>
              <dt>Job key</dt><dd><code title="${scene.key}">${shortKey(scene.key)}</code></dd>
            </dl>`;
  }
  const submitToResult = elapsed(scene.timings.submittedAt, scene.timings.completedAt);
  return html`
            <dl class="facts">
              <dt>Estimated cost</dt><dd>${formatUsd(scene.estimatedCost)}${paymentNote(scene, storyboard)}</dd>
              <dt>Actual cost</dt><dd>${scene.actualCost === undefined ? 'not reported' : formatUsd(scene.actualCost)}</dd>
              <dt>Request id</dt><dd>${scene.requestId ? html`<code>${scene.requestId}</code>` : 'none (not submitted)'}</dd>
              <dt>Job key</dt><dd><code title="${scene.key}">${shortKey(scene.key)}</code></dd>
              ${submitToResult === undefined ? '' : html`<dt>Submit to result</dt><dd>${formatDuration(submitToResult)}</dd>`}
            </dl>`;
}

/** Each paid job is attributed to one film: the others say where it was paid. */
function paymentNote(scene: SceneReport, storyboard: string): string {
  if (scene.paidBy) {
    const by = scene.paidBy;
    const film = by.storyboard === storyboard ? `variant ${by.variant}` : `${by.storyboard}/${by.variant}`;
    return ` (paid by ${film}${by.scene === scene.scene ? '' : `, scene ${by.scene}`}: not paid again)`;
  }
  return scene.reused ? ' (reused: not paid again)' : '';
}

function footnote(report: FilmReport): Html {
  return html`
    <footer class="footnote">
      <p>Estimated costs come from storyreel's price table (see the README, “Prices”); the actual cost is what the provider
      reported, when it reports one. Run from <time datetime="${report.startedAt}">${formatTimestamp(report.startedAt)}</time>
      to <time datetime="${report.finishedAt}">${formatTimestamp(report.finishedAt)}</time>.
      Machine-readable data: <a href="report.json">report.json</a>.</p>
    </footer>`;
}

function sumDurations(items: readonly { duration: number }[]): number {
  return items.reduce((total, item) => total + item.duration, 0);
}
