import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../src/cli/progress/describe.js';
import { frame } from '../../src/cli/progress/live.js';
import { jsonProgress, plainProgress } from '../../src/cli/progress/plain.js';
import type { JobState } from '../../src/job/state.js';
import type { RunEvent } from '../../src/run/events.js';

function collect(): { stream: NodeJS.WritableStream; text: () => string } {
  let text = '';
  const write = (chunk: string) => {
    text += chunk;
    return true;
  };
  const stream = { write } as unknown as NodeJS.WritableStream;
  return { stream, text: () => text };
}

const at = '2030-01-01T00:00:00.000Z';
const job = (state: JobState, extra = {}): RunEvent => ({
  type: 'job',
  at,
  job: 'k1',
  scenes: ['street'],
  variants: ['ad/default'],
  state,
  ...extra,
});

describe('progress views', () => {
  it('the plain log has one timestamped line per change of state, not per queue position', () => {
    const out = collect();
    const emit = plainProgress(out.stream);
    emit(job('queued', { requestId: 'r1', queuePosition: 3 }));
    emit(job('queued', { requestId: 'r1', queuePosition: 2 }));
    emit(job('generating', { requestId: 'r1' }));
    expect(out.text().trim().split('\n')).toEqual([
      `${at} street: queued (position 3) [r1]`,
      `${at} street: generating [r1]`,
    ]);
  });

  it('--json writes each event as exactly one line of JSON', () => {
    const out = collect();
    const emit = jsonProgress(out.stream);
    emit(job('queued', { requestId: 'r1' }));
    emit({ type: 'warning', at, code: 'batch_stopped', message: 'line one\nline two' });
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1]!)).toMatchObject({ type: 'warning', message: 'line one\nline two' });
  });

  it('the live display lists jobs in flight and counts the rest, within the terminal height', () => {
    const jobs = new Map(
      Array.from({ length: 1000 }, (_, i) => [
        `k${i}`,
        {
          label: `scene${i}`,
          state: i < 600 ? ('verified' as const) : i < 620 ? ('generating' as const) : ('planned' as const),
          since: Date.now(),
        },
      ]),
    );
    const text = frame(jobs, 1000, Date.now() - 65_000, 10, 80);
    const lines = text.split('\n');
    expect(lines.length).toBeLessThanOrEqual(10);
    expect(lines[0]).toMatch(/^ {2}scene600 +generating +0:00$/);
    expect(text).toContain('... and 15 more in flight');
    expect(lines.at(-1)).toBe('600/1000 done · 20 in flight · 0 failed · 380 waiting · 1:05');
  });

  it('a failure reads with its kind, message and request id', () => {
    const line = describeEvent({
      type: 'failed',
      at,
      job: 'k',
      scenes: ['closeup'],
      variants: ['ad/default'],
      state: 'timed_out',
      requestId: 'r9',
      error: { kind: 'timeout', message: 'no clip after 30 min' },
    });
    expect(line).toBe('closeup: TIMED OUT (timeout) no clip after 30 min [r9]');
  });
});
