import { describe, expect, it } from 'vitest';
import { planVariant } from '../../src/plan/planner.js';
import type { Plan } from '../../src/plan/types.js';
import { parseStoryboard } from '../../src/storyboard/load.js';

function plan(yaml: string, variant = 'default'): Plan {
  const result = planVariant(parseStoryboard(yaml, 'ad.yaml'), variant);
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
  return result.plan;
}

const FILM = `version: 1
vars: { product: Acme Cruiser, tagline: Every ride starts with a push. }
finish:
  end_card: { duration: 2, text: "{{tagline}}", background: "#fff" }
  music: { file: assets/bed.m4a, volume: -18 }
  loudness: -14
deliver: { length: 15 }
scenes:
  - id: street
    prompt: Autumn street
    trim: { start: 0.5 }
    supers: [{ text: "{{product}}", at: 1, for: 2.5, position: lower-third }]
  - id: closeup
    prompt: Close-up
    transition: crossfade
    captions: [{ text: "I've got you", at: 2, for: 2 }]
  - id: packshot
    prompt: Packshot
    duration: 4
variants:
  de:
    vars: { product: Acme Stadtrad }
    finish: { music: false, end_card: { text: Jede Fahrt. } }
    deliver: { length: 15 }
    scenes:
      packshot: { supers: [{ text: "{{product}}", at: 0.5 }] }
`;

describe('the cut builder', () => {
  it('lays the film out on its clock: trims, a crossfade that overlaps, the end card, supers after trim', () => {
    const cut = plan(FILM).cut!;
    expect(cut.segments.map((s) => [s.scene, s.trimStart, s.shownDuration, s.filmStart])).toEqual([
      ['street', 0.5, 4.5, 0],
      ['closeup', 0, 5, 4.5],
      ['packshot', 0, 4, 9], // 4.5 + 5 - 0.5 crossfade
    ]);
    expect(cut.transitions).toEqual([{ kind: 'crossfade', after: 1, duration: 0.5, filmStart: 9 }]);
    expect(cut.endCard).toMatchObject({
      filmStart: 13,
      duration: 2,
      text: 'Every ride starts with a push.',
      background: '#ffffff',
    });
    expect(cut.duration).toBe(15);
    expect(cut.overlays.map((o) => [o.text, o.filmStart, o.duration, o.position])).toEqual([
      ['Acme Cruiser', 1, 2.5, 'lower-third'],
    ]);
    expect(cut.captions.map((c) => [c.text, c.filmStart, c.duration])).toEqual([["I've got you", 6.5, 2]]);
    expect(cut.captionMode).toBe('sidecar');
    expect(cut.music).toEqual({ file: 'assets/bed.m4a', volumeDb: -18, duck: true, fadeOut: 2 });
    expect(cut.loudness).toBe(-14);
    expect(cut.plain).toBe(false);
  });

  it('lets a variant replace its finishing: its own vars in supers, no music, another card text', () => {
    const cut = plan(FILM, 'de').cut!;
    expect(cut.music).toBeUndefined();
    expect(cut.endCard?.text).toBe('Jede Fahrt.');
    expect(cut.overlays.map((o) => [o.text, o.filmStart, o.duration])).toEqual([
      ['Acme Stadtrad', 1, 2.5],
      ['Acme Stadtrad', 9.5, 3.5],
    ]);
  });

  it('a dip goes through black without shortening the film; a crossfade shortens it by its length', () => {
    const film = (kind: string) =>
      plan(`version: 1
finish: { transition: ${kind}, transition_duration: 1 }
scenes:
  - { id: a, prompt: x }
  - { id: b, prompt: y }
`).cut!;
    expect(film('dip').duration).toBe(10);
    expect(film('dip').transitions).toEqual([{ kind: 'dip', after: 0, duration: 1, filmStart: 4.5 }]);
    expect(film('crossfade').duration).toBe(9);
    expect(film('cut').transitions).toEqual([]);
    expect(film('cut').plain).toBe(true);
  });

  it('puts every time on the 24 fps grid, snapping an off-grid trim once', () => {
    const cut = plan(`version: 1
scenes:
  - { id: a, prompt: x, trim: { start: 0.4 } }
  - { id: b, prompt: y, trim: { start: 0.4 } }
`).cut!;
    for (const s of cut.segments) {
      for (const t of [s.trimStart, s.trimEnd, s.shownDuration, s.filmStart]) {
        expect(Math.abs(t * 24 - Math.round(t * 24))).toBeLessThan(1e-9);
      }
      expect((s.trimStart + s.shownDuration + s.trimEnd) * 24).toBeCloseTo(s.clipDuration * 24, 9);
    }
    // 9.2 s exactly, 220.8 frames: the film is 221 frames, not 2 x 110 (rounding did not accumulate)
    expect(cut.duration * 24).toBeCloseTo(221, 9);
    expect(cut.segments[1]!.filmStart + cut.segments[1]!.shownDuration).toBeCloseTo(cut.duration, 9);
  });
});

describe('finishing costs nothing', () => {
  it('no finishing key changes any job key (the key is built from the Kling payload alone)', () => {
    const bare = `version: 1
scenes:
  - id: street
    prompt: Autumn street
  - id: closeup
    prompt: Close-up
`;
    const finished = `version: 1
finish:
  font: assets/brand.ttf
  loudness: -16
  transition: dip
  transition_duration: 1
  music: { file: assets/bed.m4a, volume: -6, duck: false, fade_out: 3 }
  end_card: { duration: 3, image: assets/logo.png, text: Hello, background: black }
  captions: burn
deliver: { length: 11.5 }
scenes:
  - id: street
    prompt: Autumn street
    trim: { start: 0.5, end: 0.25 }
    transition: crossfade
    transition_duration: 0.75
    supers: [{ text: Super, at: 1, for: 2, position: top }]
    captions: [{ text: Words, at: 0, for: 1 }]
  - id: closeup
    prompt: Close-up
    supers: [{ text: Another }]
`;
    const keys = (yaml: string) => plan(yaml).jobs.map((job) => [job.key, job.payload]);
    expect(keys(finished)).toEqual(keys(bare));
    expect(plan(finished).cut!.duration).toBe(11.5);
    expect(plan(bare).cut!.plain).toBe(true);
  });
});
