/**
 * timeline.otio: the cut as OpenTimelineIO JSON (the shape of the sample files in the tests of
 * AcademySoftwareFoundation/OpenTimelineIO: Timeline.1 > Stack.1 > Track.1 of Clip.2 and
 * Transition.1, times as RationalTime.1 at the film's rate), so an editor (DaVinci Resolve, Premiere
 * through its importers) can open the cut and carry on by hand. Pure: the shell writes the file.
 *
 * OTIO's transitions take no time on the track: they mix media beyond the neighbours' cut point. So a
 * crossfade of D frames is written as a cut in its middle (the outgoing clip's range ends `out` frames
 * early, the incoming one starts `in` frames late) with a SMPTE_Dissolve of in_offset + out_offset = D:
 * the items then add up to the finished film, frame for frame. A dip (through black, no overlap)
 * has no OTIO transition type: it is a cut plus a marker. Supers and captions are markers on the stack
 * (film time).
 */
import type { Cut, CutSegment } from './types.js';

type Json = Record<string, unknown>;

function rt(frames: number, rate: number): Json {
  return { OTIO_SCHEMA: 'RationalTime.1', rate, value: frames };
}

function range(start: number, duration: number, rate: number): Json {
  return { OTIO_SCHEMA: 'TimeRange.1', duration: rt(duration, rate), start_time: rt(start, rate) };
}

function marker(
  name: string,
  start: number,
  duration: number,
  rate: number,
  color: string,
  meta: Json,
): Json {
  return {
    OTIO_SCHEMA: 'Marker.2',
    metadata: { storyreel: meta },
    name,
    color,
    marked_range: range(start, duration, rate),
    comment: name,
  };
}

export interface OtioOptions {
  /** The clip file's URL or path relative to timeline.otio (the variant folder's `01-street.mp4`). */
  clipUrl(segment: CutSegment): string;
  /** The timeline's name (the film's title). */
  name: string;
}

export function toOtio(cut: Cut, options: OtioOptions): string {
  const rate = cut.fps;
  const f = (seconds: number) => Math.round(seconds * rate);
  // Frames each item gives up to the crossfade before (head) and after (tail) it.
  const head = new Map<number, number>();
  const tail = new Map<number, number>();
  const dissolves = new Map<number, Json>();
  for (const t of cut.transitions) {
    if (t.kind !== 'crossfade') continue;
    const frames = f(t.duration);
    const before = Math.floor(frames / 2);
    tail.set(t.after, frames - before);
    head.set(t.after + 1, before);
    dissolves.set(t.after, {
      OTIO_SCHEMA: 'Transition.1',
      metadata: {},
      name: 'crossfade',
      in_offset: rt(before, rate),
      out_offset: rt(frames - before, rate),
      transition_type: 'SMPTE_Dissolve',
    });
  }
  const children: Json[] = [];
  cut.segments.forEach((segment, i) => {
    const start = f(segment.trimStart) + (head.get(i) ?? 0);
    const duration = f(segment.shownDuration) - (head.get(i) ?? 0) - (tail.get(i) ?? 0);
    children.push({
      OTIO_SCHEMA: 'Clip.2',
      metadata: { storyreel: { scene: segment.scene, job_key: segment.jobKey } },
      name: segment.scene,
      source_range: range(start, duration, rate),
      effects: [],
      markers: [],
      enabled: true,
      media_references: {
        DEFAULT_MEDIA: {
          OTIO_SCHEMA: 'ExternalReference.1',
          metadata: {},
          name: segment.scene,
          available_range: range(0, f(segment.clipDuration), rate),
          available_image_bounds: null,
          target_url: options.clipUrl(segment),
        },
      },
      active_media_reference_key: 'DEFAULT_MEDIA',
    });
    const dissolve = dissolves.get(i);
    if (dissolve) children.push(dissolve);
  });
  if (cut.endCard) {
    const card = cut.endCard;
    const headFrames = head.get(cut.segments.length) ?? 0;
    children.push({
      OTIO_SCHEMA: 'Clip.2',
      metadata: { storyreel: { end_card: { text: card.text ?? null, image: card.image ?? null } } },
      name: 'end card',
      source_range: range(headFrames, f(card.duration) - headFrames, rate),
      effects: [],
      markers: [],
      enabled: true,
      media_references: {
        DEFAULT_MEDIA: {
          OTIO_SCHEMA: 'GeneratorReference.1',
          metadata: {},
          name: 'end card',
          available_range: range(0, f(card.duration), rate),
          available_image_bounds: null,
          generator_kind: 'SolidColor',
          parameters: { color: card.background },
        },
      },
      active_media_reference_key: 'DEFAULT_MEDIA',
    });
  }
  const markers = [
    ...cut.overlays.map((o) =>
      marker(o.text, f(o.filmStart), f(o.duration), rate, 'GREEN', {
        kind: 'super',
        scene: o.scene,
        position: o.position,
      }),
    ),
    ...cut.captions.map((c) =>
      marker(c.text, f(c.filmStart), f(c.duration), rate, 'BLUE', { kind: 'caption', scene: c.scene }),
    ),
    ...cut.transitions
      .filter((t) => t.kind === 'dip')
      .map((t) => marker('dip to black', f(t.filmStart), f(t.duration), rate, 'BLACK', { kind: 'dip' })),
  ];
  const timeline = {
    OTIO_SCHEMA: 'Timeline.1',
    metadata: {
      storyreel: { storyboard: cut.storyboard, variant: cut.variant, aspect_ratio: cut.aspectRatio },
    },
    name: options.name,
    global_start_time: rt(0, rate),
    tracks: {
      OTIO_SCHEMA: 'Stack.1',
      metadata: {},
      name: 'tracks',
      source_range: null,
      effects: [],
      markers,
      enabled: true,
      children: [
        {
          OTIO_SCHEMA: 'Track.1',
          metadata: {},
          name: 'V1',
          source_range: null,
          effects: [],
          markers: [],
          enabled: true,
          children,
          kind: 'Video',
        },
      ],
    },
  };
  return `${JSON.stringify(timeline, null, 4)}\n`;
}
