/**
 * `render --json` promises a stream a machine can read to the end: when the command ends on an
 * error (exit 2 or 3, before any summary), the stream ends with an `error` event saying so.
 */
import { CommanderError } from 'commander';
import { BudgetExceededError, StoryboardError } from '../errors.js';
import type { ErrorEvent } from '../run/events.js';

/** Only `render` prints events; `plan`, `status` and `variants --json` print one document. */
export function wantsJsonEvents(argv: readonly string[]): boolean {
  const dashDash = argv.indexOf('--');
  const options = dashDash === -1 ? argv : argv.slice(0, dashDash);
  return options[0] === 'render' && options.includes('--json');
}

export function errorEvent(error: unknown, exitCode: number): ErrorEvent {
  const message = messageOf(error);
  const event: ErrorEvent = {
    type: 'error',
    at: new Date().toISOString(),
    exitCode,
    error: error instanceof Error ? error.constructor.name : 'Error',
    message,
    problems:
      error instanceof StoryboardError ? error.problems.map((problem) => ({ ...problem })) : [{ message }],
  };
  if (error instanceof BudgetExceededError) {
    event.estimatedCostUsd = error.estimatedUsd;
    event.maxCostUsd = error.maxCostUsd;
  }
  return event;
}

function messageOf(error: unknown): string {
  if (error instanceof CommanderError) return error.message.replace(/^error: /, '');
  return error instanceof Error ? error.message : String(error);
}
