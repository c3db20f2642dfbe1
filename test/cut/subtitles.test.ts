import { describe, expect, it } from 'vitest';
import { toSrt, toVtt } from '../../src/cut/subtitles.js';
import { planVariant } from '../../src/plan/planner.js';
import { parseStoryboard } from '../../src/storyboard/load.js';

const yaml = `version: 1
scenes:
  - id: street
    prompt: Autumn street
    trim: { start: 0.5 }
    captions: [{ text: "I've got you", at: 1, for: 2 }]
  - id: closeup
    prompt: Close-up
    transition: crossfade
    transition_duration: 1
  - id: letgo
    prompt: Let go
    captions: [{ text: "Dad & me <3", at: 0.25, for: 1.5 }]
`;

describe('film.srt and film.vtt', () => {
  const result = planVariant(parseStoryboard(yaml, 'ad.yaml'), 'default');
  if (!result.ok) throw new Error('plan failed');
  const cut = result.plan.cut!;

  it('time captions on the finished film: after the trim and the crossfade overlap', () => {
    // letgo starts at 4.5 + 5 - 1 = 8.5; its caption at 8.75
    expect(toSrt(cut)).toBe(
      "1\n00:00:01,000 --> 00:00:03,000\nI've got you\n\n2\n00:00:08,750 --> 00:00:10,250\nDad & me <3\n",
    );
    expect(toVtt(cut)).toBe(
      "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nI've got you\n\n00:00:08.750 --> 00:00:10.250\nDad &amp; me &lt;3\n",
    );
  });
});
