/** What a command needs from the outside world; tests can pass their own. */
export interface CliContext {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The exit code the command decided on; main() returns it. */
  exitCode: number;
}

export function processContext(): CliContext {
  tolerateClosedOutput(process.stdout);
  tolerateClosedOutput(process.stderr);
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    exitCode: 0,
  };
}

export function writeLine(stream: NodeJS.WritableStream, text = ''): void {
  stream.write(`${text}\n`);
}

/**
 * A reader that goes away (`| head` closes the pipe: EPIPE; a closed terminal: EIO) makes the next
 * write fail with an 'error' event, and unhandled, that killed a render between a paid submission and
 * its journal entry (the rerun then paid again). Nothing a render must keep goes through stdout or
 * stderr (the journal and report.json have it all), so such an error only ends the output: the
 * stream is destroyed, and a destroyed stream drops later writes without another error.
 */
export function tolerateClosedOutput(stream: NodeJS.WritableStream): void {
  stream.on('error', () => {});
}
