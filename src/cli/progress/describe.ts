/** Events in words, shared by the plain log and the live display. Pure. */
import { servedLabel, takeSuffix } from '../../run/batch.js';
import type { RunEvent } from '../../run/events.js';

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** `0:42`, `12:05`, `1:02:03`. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

export function usd(amount: number): string {
  return `$${amount.toFixed(2)}`;
}

export interface DescribeOptions {
  /** The batch makes several films: name the film(s) each job is for (one film: it goes unsaid). */
  severalFilms?: boolean;
}

/** True when a plan event announces more than one film: views then name the films of each job. */
export function announcesSeveralFilms(event: RunEvent): boolean | undefined {
  return event.type === 'plan' ? event.variants.length > 1 : undefined;
}

/** How a view names a job: its scenes, and with several films the film(s) it serves. */
export function jobName(
  scenes: string[],
  variants: string[] | undefined,
  options: DescribeOptions,
  take?: number,
): string {
  const named =
    take !== undefined && take > 1 ? scenes.map((scene) => `${scene}${takeSuffix(take)}`) : scenes;
  return options.severalFilms && variants ? servedLabel(named, variants) : named.join('+');
}

/** One line for an event worth a line; undefined for those a view shows otherwise (the summary). */
export function describeEvent(event: RunEvent, options: DescribeOptions = {}): string | undefined {
  const who = (scenes: string[], variants?: string[], take?: number) =>
    jobName(scenes, variants, options, take);
  switch (event.type) {
    case 'plan': {
      const films = event.variants.map((v) => `${v.storyboard}/${v.variant}`).join(', ');
      const { total, reused, inFlight, toSubmit } = event.jobs;
      return (
        `${event.variants.length} film(s): ${films}; ${total} distinct job(s): ${reused} done, ` +
        `${inFlight} already submitted, ${toSubmit} to submit (estimated ${usd(event.estimatedCostUsd)}, provider ${event.provider})`
      );
    }
    case 'job': {
      const request = event.requestId ? ` [${event.requestId}]` : '';
      const position = event.queuePosition !== undefined ? ` (position ${event.queuePosition})` : '';
      const reused = event.reused ? ' (clip reused)' : '';
      const detail = event.detail ? `: ${event.detail}` : '';
      return `${who(event.scenes, event.variants, event.take)}: ${event.state}${position}${reused}${request}${detail}`;
    }
    case 'downloaded':
      return `${who(event.scenes, event.variants, event.take)}: downloaded ${formatBytes(event.bytes)}, ${event.durationSec.toFixed(1)} s`;
    case 'failed': {
      const request = event.requestId ? ` [${event.requestId}]` : '';
      return `${who(event.scenes, event.variants, event.take)}: ${event.state.toUpperCase().replace('_', ' ')} (${event.error.kind}) ${event.error.message}${request}`;
    }
    case 'warning':
      // The job's own failure line, next, gives the reason: a person reads it once.
      if (event.code === 'batch_stopped' && event.job) {
        return 'WARNING: no more submissions: every other request would be refused the same way (why follows)';
      }
      return `WARNING: ${event.message}`;
    case 'film':
      return `film written: ${event.path} (${event.durationSec.toFixed(1)} s, ${formatBytes(event.bytes)}${event.joinMode === 'unchanged' ? ', unchanged' : event.joinMode === 'finished' ? ', finished' : `, ${event.joinMode} join`})`;
    case 'summary':
    case 'error':
      return undefined;
  }
}
