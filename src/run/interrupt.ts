/**
 * Ctrl-C. The first SIGINT (or a SIGTERM) stops new submissions and lets in-flight work reach a safe
 * point: polling stops, downloads are dropped (the request ids are journaled, a rerun collects them),
 * state is saved, and the render exits 130. A second SIGINT exits at once; the journal is written
 * atomically, so even that loses nothing but the wait. A SIGTERM counts like a SIGINT.
 */
import { ExitCode, InterruptedError } from '../errors.js';

export interface InterruptHandling {
  signal: AbortSignal;
  dispose(): void;
}

export function handleInterrupts(onFirst: (signalName: NodeJS.Signals) => void): InterruptHandling {
  const controller = new AbortController();
  let count = 0;
  const handler = (signalName: NodeJS.Signals) => {
    count += 1;
    if (count === 1) {
      onFirst(signalName);
      controller.abort(new InterruptedError(`interrupted by ${signalName}`));
      return;
    }
    process.exit(ExitCode.interrupted);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
