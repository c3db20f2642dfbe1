/**
 * Ctrl-C. The first SIGINT stops new submissions and lets in-flight work reach a safe point: polling
 * stops, downloads are dropped (the request ids are journaled, a rerun collects them), state is
 * saved, and the render exits 130. A second one exits at once; the journal is written atomically, so
 * even that loses nothing but the wait. SIGTERM, SIGHUP (a closed terminal or SSH session) and
 * SIGQUIT (Ctrl-\) count like a SIGINT: left to their default, they killed the render between a paid
 * submission and its journal entry.
 */
import { ExitCode, InterruptedError } from '../errors.js';

export interface InterruptHandling {
  signal: AbortSignal;
  dispose(): void;
}

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

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
    // A closing terminal may hang up more than once; nobody asked to hurry, so the stop stays orderly.
    if (signalName === 'SIGHUP') return;
    process.exit(ExitCode.interrupted);
  };
  for (const name of STOP_SIGNALS) process.on(name, handler);
  return {
    signal: controller.signal,
    dispose() {
      for (const name of STOP_SIGNALS) process.off(name, handler);
    },
  };
}
