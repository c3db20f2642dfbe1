/** index.html as a pure function: every variant's film in the output folder, grouped by storyboard. */
import { filmBadge, formatDuration, formatTimestamp, formatUsd, plural, renderedCount } from './format.js';
import { type Html, html, relativeUrl } from './html-template.js';
import { badge, page } from './render-report.js';
import type { FilmReport } from './types.js';

export interface IndexEntry {
  report: FilmReport;
  /** The variant folder relative to the index page, like `ad/vertical`. */
  folder: string;
  /** Relative to the variant folder; absent when the variant has no contact sheet. */
  contactSheet?: string;
  /** Relative to the variant folder; absent when report.html was never written. */
  reportHtml?: string;
}

/** `unreadable`: variant folders whose report.json could not be read, named so nothing vanishes silently. */
export function renderIndexHtml(entries: readonly IndexEntry[], unreadable: readonly string[] = []): string {
  const { current, removed } = currentVariants(entries);
  const sorted = [...current].sort(byStoryboardThenVariant(variantOrders(current)));
  const storyboards = [...new Set(sorted.map((entry) => entry.report.storyboard))];
  const complete = sorted.filter((entry) => entry.report.status === 'complete').length;
  return page(
    'storyreel: rendered films',
    html`
    <header class="masthead">
      <div>
        <p class="eyebrow">storyreel output</p>
        <h1>Rendered films</h1>
        <p class="meta-line">
          <span>${plural(sorted.length, 'variant')}</span>
          <span>${plural(storyboards.length, 'storyboard')}</span>
          <span>${complete} complete</span>
        </p>
        ${paidLine(sorted)}
      </div>
    </header>
    ${sorted.length === 0 ? html`<p class="notice">No report.json found in this output folder yet.</p>` : ''}
    ${storyboards.map((storyboard) =>
      storyboardSection(
        storyboard,
        sorted.filter((entry) => entry.report.storyboard === storyboard),
      ),
    )}
    <footer class="footnote"><p>Costs are estimates from storyreel's price table unless marked as reported by the provider.
    A clip shared by several films is in each film's cost, but paid once: at a render, its price is counted
    under the first film that needed it, so the amounts paid add up to what the provider charged.
    Each card links to the variant's full report.</p>
    ${removed.length > 0 ? html`<p>Not listed, no longer variants of their storyboard: ${removed.map((entry, index) => html`${index > 0 ? ', ' : ''}<code>${entry.folder}</code>`)}.</p>` : ''}
    ${unreadable.length > 0 ? html`<p>Not listed, their report.json could not be read: ${unreadable.map((folder, index) => html`${index > 0 ? ', ' : ''}<code>${folder}</code>`)}.</p>` : ''}</footer>`,
  );
}

/** The sum of what the cards' renders paid: each paid job is under exactly one card. */
function paidLine(entries: readonly IndexEntry[]): Html | '' {
  if (entries.length === 0) return '';
  const estimated = entries.reduce((sum, entry) => sum + entry.report.cost.estimatedThisRun, 0);
  const reported = entries
    .map((entry) => entry.report.cost.actualThisRun)
    .filter((cost): cost is number => cost !== undefined);
  const actual =
    reported.length > 0 ? `, ${formatUsd(reported.reduce((sum, cost) => sum + cost, 0))} reported` : '';
  return html`<p class="meta-line"><span>Paid at these renders: ${formatUsd(estimated)} estimated${actual}</span></p>`;
}

function storyboardSection(storyboard: string, entries: readonly IndexEntry[]): Html {
  const first = entries[0]!.report;
  return html`
    <section aria-labelledby="${`storyboard-${storyboard}`}">
      <h2 id="${`storyboard-${storyboard}`}">${first.title} <span class="chip">${first.file}</span></h2>
      <div class="variants">${entries.map(variantCard)}</div>
    </section>`;
}

function variantCard(entry: IndexEntry): Html {
  const { report } = entry;
  const status = filmBadge(report);
  const link = entry.reportHtml ? relativeUrl(`${entry.folder}/${entry.reportHtml}`) : undefined;
  const linked = (content: Html | string) => (link ? html`<a href="${link}">${content}</a>` : content);
  const sheet = entry.contactSheet
    ? html`<img src="${relativeUrl(`${entry.folder}/${entry.contactSheet}`)}" alt="${`Contact sheet of ${report.title}, variant ${report.variant}`}">`
    : html`<div class="no-clip">No scene rendered yet</div>`;
  const actual = report.cost.actualTotal;
  return html`
        <article class="card variant-card" aria-labelledby="${`variant-${report.storyboard}-${report.variant}`}">
          ${link ? html`<a class="sheet-link" href="${link}" tabindex="-1" aria-hidden="true">${sheet}</a>` : html`<div class="sheet-link">${sheet}</div>`}
          <div class="card-body">
            <div class="card-head">
              <h3 id="${`variant-${report.storyboard}-${report.variant}`}">${linked(report.variant)}</h3>
              ${badge(status.label, status.tone)}
            </div>
            <dl class="facts">
              <dt>Scenes rendered</dt><dd>${renderedCount(report)} of ${report.scenes.length}</dd>
              <dt>Duration</dt><dd>${formatDuration(report.film?.duration ?? report.scenes.reduce((sum, scene) => sum + scene.duration, 0))}</dd>
              <dt>Its clips cost</dt><dd>${formatUsd(report.cost.estimatedTotal)} estimated; ${actual === undefined ? 'not reported' : html`${formatUsd(actual)} reported`}</dd>
              <dt>Paid at its render</dt><dd>${formatUsd(report.cost.estimatedThisRun)} estimated; ${report.cost.actualThisRun === undefined ? 'not reported' : html`${formatUsd(report.cost.actualThisRun)} reported`}</dd>
              <dt>Rendered</dt><dd><time datetime="${report.finishedAt}">${formatTimestamp(report.finishedAt)}</time></dd>
            </dl>
            ${link ? html`<p class="prompt">${linked('Open the report →')}</p>` : html`<p class="prompt">No report.html yet.</p>`}
          </div>
        </article>`;
}

/**
 * A variant folder left from an earlier render whose variant the storyboard no longer has is not a
 * film of it: the newest report of each storyboard says which variants it has (reports written
 * before report.json carried the list keep every folder).
 */
function currentVariants(entries: readonly IndexEntry[]): { current: IndexEntry[]; removed: IndexEntry[] } {
  const newest = new Map<string, FilmReport>();
  for (const { report } of entries) {
    const seen = newest.get(report.storyboard);
    if (!seen || report.finishedAt > seen.finishedAt) newest.set(report.storyboard, report);
  }
  const current: IndexEntry[] = [];
  const removed: IndexEntry[] = [];
  for (const entry of entries) {
    const variants = newest.get(entry.report.storyboard)?.variants;
    (variants && !variants.includes(entry.report.variant) ? removed : current).push(entry);
  }
  return { current, removed };
}

/** Each storyboard's variant order, from its newest report that says (default first, file order). */
function variantOrders(entries: readonly IndexEntry[]): Map<string, readonly string[]> {
  const orders = new Map<string, { at: string; variants: readonly string[] }>();
  for (const { report } of entries) {
    const known = orders.get(report.storyboard);
    if (report.variants && (!known || report.finishedAt > known.at)) {
      orders.set(report.storyboard, { at: report.finishedAt, variants: report.variants });
    }
  }
  return new Map([...orders].map(([storyboard, { variants }]) => [storyboard, variants]));
}

/**
 * Storyboards by name; within one, the storyboard's own order of variants; variants it does not
 * list (older reports) after them, `default` first, then by name.
 */
function byStoryboardThenVariant(
  orders: ReadonlyMap<string, readonly string[]>,
): (a: IndexEntry, b: IndexEntry) => number {
  return (a, b) => {
    if (a.report.storyboard !== b.report.storyboard)
      return a.report.storyboard < b.report.storyboard ? -1 : 1;
    const order = orders.get(a.report.storyboard) ?? [];
    const rank = (entry: IndexEntry) => {
      const at = order.indexOf(entry.report.variant);
      return at >= 0 ? at : order.length + (entry.report.variant === 'default' ? 0 : 1);
    };
    if (rank(a) !== rank(b)) return rank(a) - rank(b);
    return a.report.variant < b.report.variant ? -1 : a.report.variant > b.report.variant ? 1 : 0;
  };
}
