/**
 * Progress for logs (CI, pipes): one timestamped line per change of state. Queue position updates are
 * left out: a thousand queued jobs would flood the log, and the live display shows them.
 */
import type { RunEvent } from '../../run/events.js';
import { announcesSeveralFilms, describeEvent } from './describe.js';

export function plainProgress(stream: NodeJS.WritableStream): (event: RunEvent) => void {
  const lastState = new Map<string, string>();
  let severalFilms = false;
  return (event) => {
    severalFilms = announcesSeveralFilms(event) ?? severalFilms;
    if (event.type === 'job') {
      const key = `${event.job}`;
      if (lastState.get(key) === event.state && !event.detail) return;
      lastState.set(key, event.state);
    }
    const line = describeEvent(event, { severalFilms });
    if (line) stream.write(`${event.at} ${line}\n`);
  };
}

/** `--json`: every event as one line of JSON, and nothing else on that stream. */
export function jsonProgress(stream: NodeJS.WritableStream): (event: RunEvent) => void {
  return (event) => {
    stream.write(`${JSON.stringify(event)}\n`);
  };
}
