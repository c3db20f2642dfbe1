/**
 * timeline.otio held against OpenTimelineIO's file format, as its own sample files show it
 * (AcademySoftwareFoundation/OpenTimelineIO, tests/sample_data/transition.otio and
 * generator_reference_test.otio): schema names and versions, rational times, source ranges that add
 * up to the finished film.
 */
import { describe, expect, it } from 'vitest';
import { toOtio } from '../../src/cut/otio.js';
import { planVariant } from '../../src/plan/planner.js';
import { parseStoryboard } from '../../src/storyboard/load.js';

const yaml = `version: 1
finish:
  end_card: { duration: 2, text: Acme, background: "#102030" }
deliver: { length: 14.875 }
scenes:
  - id: street
    prompt: Autumn street
    trim: { start: 0.5 }
    supers: [{ text: "Acme: 50% off; [now]", at: 1, for: 2 }]
  - id: closeup
    prompt: Close-up
    transition: crossfade
    transition_duration: 0.625
    captions: [{ text: "I've got you", at: 2, for: 2 }]
  - id: letgo
    prompt: Let go
    duration: 4
    transition: dip
`;

type Node = Record<string, unknown> & { OTIO_SCHEMA: string };

function rational(value: unknown): number {
  const time = value as Node;
  expect(time.OTIO_SCHEMA).toBe('RationalTime.1');
  expect(time.rate).toBe(24);
  expect(Number.isInteger(time.value)).toBe(true);
  return time.value as number;
}

function timeRange(value: unknown): { start: number; duration: number } {
  const range = value as Node;
  expect(range.OTIO_SCHEMA).toBe('TimeRange.1');
  return { start: rational(range.start_time), duration: rational(range.duration) };
}

describe('timeline.otio', () => {
  const result = planVariant(parseStoryboard(yaml, 'ad.yaml'), 'default');
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
  const cut = result.plan.cut!;
  const timeline = JSON.parse(
    toOtio(cut, { name: 'First ride', clipUrl: (s) => `0${s.index + 1}-${s.scene}.mp4` }),
  ) as Node;

  it('is a Timeline.1 holding a Stack.1 with one Video Track.1', () => {
    expect(timeline.OTIO_SCHEMA).toBe('Timeline.1');
    expect(timeline.name).toBe('First ride');
    expect(rational(timeline.global_start_time)).toBe(0);
    const stack = timeline.tracks as Node;
    expect(stack.OTIO_SCHEMA).toBe('Stack.1');
    const [track] = stack.children as Node[];
    expect(track!.OTIO_SCHEMA).toBe('Track.1');
    expect(track!.kind).toBe('Video');
  });

  const stack = timeline.tracks as Node;
  const items = (stack.children as Node[])[0]!.children as Node[];

  it('lists the clips with their source ranges (trims), a dissolve for the crossfade and the end card', () => {
    expect(items.map((i) => `${i.OTIO_SCHEMA}:${i.name}`)).toEqual([
      'Clip.2:street',
      'Clip.2:closeup',
      'Transition.1:crossfade',
      'Clip.2:letgo',
      'Clip.2:end card',
    ]);
    const street = items[0]!;
    expect(timeRange(street.source_range)).toEqual({ start: 12, duration: 108 }); // 0.5 s trim of 5 s
    const media = (street.media_references as Record<string, Node>).DEFAULT_MEDIA!;
    expect(street.active_media_reference_key).toBe('DEFAULT_MEDIA');
    expect(media.OTIO_SCHEMA).toBe('ExternalReference.1');
    expect(media.target_url).toBe('01-street.mp4');
    expect(timeRange(media.available_range)).toEqual({ start: 0, duration: 120 });
    const dissolve = items[2]!;
    expect(dissolve.transition_type).toBe('SMPTE_Dissolve');
    expect(rational(dissolve.in_offset) + rational(dissolve.out_offset)).toBe(15); // 0.625 s
    const card = (items[4]!.media_references as Record<string, Node>).DEFAULT_MEDIA!;
    expect(card.OTIO_SCHEMA).toBe('GeneratorReference.1');
    // every range stays inside its media, handles for the dissolve included
    for (const item of items.filter((i) => i.OTIO_SCHEMA === 'Clip.2')) {
      const { start, duration } = timeRange(item.source_range);
      const available = timeRange(
        (item.media_references as Record<string, Node>).DEFAULT_MEDIA!.available_range,
      );
      expect(start).toBeGreaterThanOrEqual(0);
      expect(start + duration).toBeLessThanOrEqual(available.duration);
    }
  });

  it('has source ranges that add up to the finished film, frame for frame', () => {
    const frames = items
      .filter((i) => i.OTIO_SCHEMA === 'Clip.2')
      .reduce((total, item) => total + timeRange(item.source_range).duration, 0);
    expect(frames).toBe(Math.round(cut.duration * 24));
    expect(frames).toBe(357); // 4.5 + 5 + 4 - 0.625 crossfade + 2 end card = 14.875 s
  });

  it('carries supers, captions and the dip as Marker.2 on the stack, in film time, text as typed', () => {
    const markers = stack.markers as Node[];
    expect(markers.map((m) => [m.OTIO_SCHEMA, m.name, timeRange(m.marked_range)])).toEqual([
      ['Marker.2', 'Acme: 50% off; [now]', { start: 24, duration: 48 }],
      ['Marker.2', "I've got you", { start: 156, duration: 48 }], // 4.5 s + 2 s
      ['Marker.2', 'dip to black', expect.objectContaining({ duration: 12 })],
    ]);
  });
});
