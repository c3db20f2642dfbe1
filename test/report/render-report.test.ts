import { describe, expect, it } from 'vitest';
import { escapeHtml, html, relativeUrl } from '../../src/report/html-template.js';
import { type ReportAssets, renderReportHtml } from '../../src/report/render-report.js';
import type { FilmReport } from '../../src/report/types.js';
import { FAILED_SCENE, filmReport, SCENES, sceneReport, XSS_PROMPT } from './fixtures.js';

const completeReport = (): FilmReport => filmReport(SCENES.map((spec, index) => sceneReport(spec, index)));
const incompleteReport = (): FilmReport =>
  filmReport(
    [...SCENES, FAILED_SCENE].map((spec, index) => sceneReport(spec, index)),
    { variant: 'teaser' },
  );

const allAssets: ReportAssets = {
  thumbnails: {
    street: 'thumbs/01-street.jpg',
    closeup: 'thumbs/02-closeup.jpg',
    neon: 'thumbs/03-neon.jpg',
  },
  contactSheet: 'contact-sheet.jpg',
  filmAvailable: true,
};

function articles(page: string): string[] {
  return [...page.matchAll(/<article\b[\s\S]*?<\/article>/g)].map((match) => match[0]);
}

describe('report.html', () => {
  it('shows user text as text: a <script> in a prompt, title, shot or error never becomes markup', () => {
    const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&';
    const report = completeReport();
    report.title = evil;
    report.scenes[0]!.shots[0]!.prompt = evil;
    report.scenes[1]!.error = { kind: evil, message: evil };
    report.scenes[1]!.requestId = evil;
    const page = renderReportHtml(report, allAssets);
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/<img src=x/i);
    expect(page).toContain(escapeHtml(XSS_PROMPT));
    expect(page).toContain(
      '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;&amp;',
    );
  });

  it('plays the film from film.mp4 with controls, the first thumbnail as poster', () => {
    const page = renderReportHtml(completeReport(), allAssets);
    expect(page).toMatch(
      /<video controls preload="metadata" playsinline src="film\.mp4" poster="thumbs\/01-street\.jpg">/,
    );
    expect(page).not.toContain('No film to play');
  });

  it('says the film is missing, why, and how to resume, when the render is incomplete', () => {
    const page = renderReportHtml(incompleteReport(), { ...allAssets, filmAvailable: false });
    expect(page).not.toContain('<video');
    expect(page).toContain('No film to play.');
    expect(page).toMatch(/1 scene of 4\s+is not rendered yet/);
    expect(page).toContain('<code>storyreel render storyboards/ad.yaml --variant teaser</code>');
    expect(page).toContain('Film incomplete');
  });

  it('says so when a complete film has gone missing from the folder', () => {
    const page = renderReportHtml(completeReport(), { ...allAssets, filmAvailable: false });
    expect(page).toContain('the film is complete, but <code>film.mp4</code> is not in this folder');
  });

  it('has one card per scene, in order, with its number, id, status, origin and thumbnail', () => {
    const cards = articles(renderReportHtml(incompleteReport(), allAssets));
    expect(cards.map((card) => /id="scene-([a-z]+)"/.exec(card)?.[1])).toEqual([
      'street',
      'closeup',
      'neon',
      'finale',
    ]);
    expect(cards[0]).toContain('01 <code>street</code>');
    expect(cards[0]).toContain('<img src="thumbs/01-street.jpg" alt="First frame of scene 01, street">');
    expect(cards[0]).toContain('Generated this run');
    expect(cards[0]).toContain('badge tone-good');
    expect(cards[1]).toContain('Reused');
    expect(cards[1]).toContain('$0.25 (reused: not paid again)');
    expect(cards[3]).toContain('No clip yet: failed');
    expect(cards[3]).toContain('badge tone-bad');
    expect(cards[3]).not.toContain('<img');
  });

  it('shows the failure of a failed scene, with its kind', () => {
    const failed = articles(renderReportHtml(incompleteReport(), allAssets))[3]!;
    expect(failed).toContain(
      '<strong>Failed (generation):</strong> Generation failed: &lt;content policy&gt; &quot;violence&quot; detected',
    );
  });

  it('lays the shots out on a timeline, each as wide as its duration, and lists their prompts', () => {
    const street = articles(renderReportHtml(completeReport(), allAssets))[0]!;
    expect(street).toContain('Timeline · 2 shots');
    expect(street).toMatch(
      /style="flex: 3 1 0" title="Wide establishing shot of the leafy neighbourhood">1 · 3 s</,
    );
    expect(street).toMatch(/style="flex: 4 1 0" title="Low tracking shot[^"]*">2 · 4 s</);
    expect(street).toContain('<span>0 s</span><span>7 s</span>');
    expect(street).toContain(
      '<span class="secs">4 s</span><span>Low tracking shot following a wobbling pink Acme Cruiser</span>',
    );
    const closeup = articles(renderReportHtml(completeReport(), allAssets))[1]!;
    expect(closeup).toContain('Single shot · 3 s');
    expect(closeup).not.toContain('shot-list');
  });

  it('shows the request id, a short job key with the full key on hover, and per-scene costs', () => {
    const report = completeReport();
    const street = articles(renderReportHtml(report, allAssets))[0]!;
    expect(street).toContain('<code>req-street-0001</code>');
    expect(street).toContain(
      `<code title="${report.scenes[0]!.key}">${report.scenes[0]!.key.slice(0, 12)}</code>`,
    );
    expect(street).toContain('<dt>Estimated cost</dt><dd>$0.59</dd>');
    expect(street).toContain('<dt>Actual cost</dt><dd>$0.59</dd>');
    expect(street).toContain('<dt>Submit to result</dt><dd>2 min 14 s</dd>');
  });

  it('labels every total that is an estimate as one, and says when the provider reported no cost', () => {
    const page = renderReportHtml(completeReport(), allAssets);
    expect(page).toContain(
      '<dt>Estimated cost, whole film</dt><dd>$1.09<small>estimate from the price table</small>',
    );
    expect(page).toContain('<dt>Estimated cost, this run</dt><dd>$0.84');
    expect(page).toContain('<dt>Actual cost</dt><dd>not reported');
    expect(page).toContain('<dt>Scenes rendered</dt><dd>3 of 3</dd>');
    expect(page).toContain('<dt>Film duration</dt><dd>13 s</dd>');
  });

  it('is self-contained: inline CSS, no script, every link and image relative to the variant folder', () => {
    const page = renderReportHtml(completeReport(), allAssets);
    expect(page).toMatch(/<style>[\s\S]+<\/style>/);
    expect(page).not.toMatch(/<script|<link rel="stylesheet"|@import|url\(/i);
    const references = [...page.matchAll(/\b(?:src|href|poster)="([^"]*)"/g)].map((match) => match[1]!);
    expect(references.sort()).toEqual(
      [
        'contact-sheet.jpg',
        'contact-sheet.jpg',
        'data:,',
        'film.mp4',
        'film.mp4',
        'report.json',
        'thumbs/01-street.jpg',
        'thumbs/01-street.jpg',
        'thumbs/02-closeup.jpg',
        'thumbs/03-neon.jpg',
      ].sort(),
    );
  });

  it('shows the contact sheet with a description, only when there is one', () => {
    const withSheet = renderReportHtml(completeReport(), allAssets);
    expect(withSheet).toContain(
      '<img src="contact-sheet.jpg" alt="Contact sheet of Autumn bike ride (default): the first frame of each of its 3 scenes, in order">',
    );
    const { contactSheet: _, ...noSheet } = allAssets;
    expect(renderReportHtml(completeReport(), noSheet)).not.toContain('contact-sheet.jpg');
  });
});

describe('html template', () => {
  it('escapes interpolations, passes nested fragments and arrays through, and drops empty values', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}${['a', html`<br>`, '&']}${undefined}${false}${0}</p>`.value).toBe(
      '<p><b>&lt;i&gt;</b>a<br>&amp;0</p>',
    );
  });

  it('makes file paths into relative URLs that cannot change scheme or leave the attribute', () => {
    expect(relativeUrl('thumbs/01-street.jpg')).toBe('thumbs/01-street.jpg');
    expect(relativeUrl('javascript:alert(1)')).toBe('javascript%3Aalert(1)');
    expect(relativeUrl('a b/"x".jpg')).toBe('a%20b/%22x%22.jpg');
  });
});

describe('report.html of a finished film', () => {
  it('shows each scene’s supers and captions on its card, and the loudness measured on the film', () => {
    const report = completeReport();
    report.film = { ...report.film!, loudness: { integrated: -14.2, truePeak: -1.6 } };
    const base = { storyboard: 'ad', variant: 'default', aspectRatio: '16:9' as const, assetsResolved: true };
    report.cut = {
      ...base,
      segments: [],
      transitions: [],
      overlays: [
        {
          kind: 'super',
          scene: 'closeup',
          text: 'Built <for> rides',
          filmStart: 5,
          duration: 2.5,
          position: 'top',
        },
      ],
      captions: [{ scene: 'street', text: "I've got you", filmStart: 1, duration: 2 }],
      captionMode: 'sidecar',
      loudness: -14,
      assets: [],
      fps: 24,
      duration: 15,
      plain: false,
    };
    const page = renderReportHtml(report, allAssets);
    const [street, closeup, neon] = articles(page);
    expect(closeup).toContain('Supers');
    expect(closeup).toContain(escapeHtml('Built <for> rides'));
    expect(closeup).toContain('5 s to 7.5 s · top');
    expect(street).toContain(escapeHtml("I've got you"));
    expect(street).toContain('Captions (sidecar)');
    expect(neon).not.toContain('Supers');
    expect(page).toContain('-14.2 LUFS');
    expect(page).toContain('true peak -1.6 dBTP; target -14 LUFS');
  });
});
