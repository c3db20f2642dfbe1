/**
 * `storyreel mock-server`: a RunComfy-compatible server on loopback, for trying storyreel, CI dry
 * runs and tests. Prints its base URL on the first line of stdout and runs until SIGINT/SIGTERM.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { UsageError } from '../../errors.js';
import { FAULT_SPEC_HELP, parseFaultSpec } from '../../providers/mock-server/faults.js';
import type { MockRequestLog } from '../../providers/mock-server/server.js';
import { type CliContext, writeLine } from '../context.js';
import { wholeNumber } from '../options.js';

interface MockServerFlags {
  port: number;
  mediaPort: number;
  token?: string;
  queueMs: number;
  generationMs: number;
  slots: number;
  fault: string[];
  seed: number;
  size?: string;
  linkTtlMs?: number;
  singleUseLinks?: boolean;
  outputKey: 'video' | 'videos';
  quiet?: boolean;
}

const DEFAULT_TOKEN = 'test-token';

export function registerMockServer(program: Command, context: CliContext): void {
  program
    .command('mock-server')
    .description('run a local RunComfy-compatible server (with fault injection) for tests and dry runs')
    .option('--port <n>', 'API port (0: any free port)', wholeNumber('--port', 0), 0)
    .option(
      '--media-port <n>',
      'port of the media host that serves clips (0: any free port)',
      wholeNumber('--media-port', 0),
      0,
    )
    .option('--token <token>', `token clients must send (default "${DEFAULT_TOKEN}")`)
    .option('--queue-ms <ms>', 'time a job waits before it may start', wholeNumber('--queue-ms', 0), 2000)
    .option('--generation-ms <ms>', 'time a generation takes', wholeNumber('--generation-ms', 0), 5000)
    .option('--slots <n>', 'jobs generated at the same time', wholeNumber('--slots', 0), 4)
    .addOption(
      new Option('--fault <spec>', 'inject a fault; repeatable (syntax below)')
        .argParser(collectFault)
        .default([], 'none'),
    )
    .option('--seed <n>', 'seed for fault rates, for reproducible runs', wholeNumber('--seed', 0), 1)
    .option(
      '--size <WxH>',
      "size of served 16:9 clips, like 320x180; 9:16 turns it, 1:1 uses its short side (default: Kling's 720p sizes)",
    )
    .option('--link-ttl-ms <ms>', 'media links answer 403 once this old', wholeNumber('--link-ttl-ms', 0))
    .option('--single-use-links', 'media links answer 403 after their first download')
    .addOption(
      new Option('--output-key <key>', 'where results put the link: output.video or output.videos[0]')
        .choices(['video', 'videos'])
        .default('video'),
    )
    .option('--quiet', 'do not log each request on stderr')
    .addHelpText(
      'after',
      `\n${FAULT_SPEC_HELP}\n\nExample:\n  storyreel mock-server --size 320x180 --fault status:503:rate=0.2 --fault media:truncate:next=1`,
    )
    .action(async (flags: MockServerFlags) => {
      // Loaded when the command runs, not when the CLI starts (`storyreel --help` needs none of it).
      // A bad --size is refused there, before anything listens (UsageError: exit 2).
      const { startMockServer } = await import('../../providers/mock-server/server.js');
      const server = await startMockServer({
        port: flags.port,
        mediaPort: flags.mediaPort,
        token: flags.token ?? DEFAULT_TOKEN,
        queueMs: flags.queueMs,
        generationMs: flags.generationMs,
        slots: flags.slots,
        faults: flags.fault,
        seed: flags.seed,
        size: flags.size,
        linkTtlMs: flags.linkTtlMs,
        singleUseLinks: flags.singleUseLinks,
        outputKey: flags.outputKey,
        onRequest: flags.quiet ? undefined : (entry) => writeLine(context.stderr, describeRequest(entry)),
      }).catch((error: NodeJS.ErrnoException & { port?: number }) => {
        if (error.code !== 'EADDRINUSE' && error.code !== 'EACCES') throw error;
        throw new UsageError(
          `cannot listen on 127.0.0.1:${error.port ?? '?'} (${error.code}); choose another --port/--media-port, or 0 for any free port.`,
        );
      });
      // The token is echoed only when it is the built-in one: a token you chose is yours to remember.
      const token = flags.token === undefined ? ` RUNCOMFY_API_TOKEN=${DEFAULT_TOKEN}` : '';
      writeLine(context.stdout, server.url);
      writeLine(context.stdout, `RUNCOMFY_BASE_URL=${server.url}${token}`);
      writeLine(
        context.stderr,
        `mock RunComfy API on ${server.url}, media on ${server.mediaUrl}; Ctrl-C (or kill ${process.pid}) stops it`,
      );
      await untilStopped();
      await server.close();
      context.exitCode = 0;
    });
}

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Until a stop signal, or until the process that started this one is gone: `npx storyreel
 * mock-server` runs it under npm, and a SIGTERM to npx ends npm without passing it on, which left
 * the server orphaned and listening. Re-parented (a new ppid), it stops as if told to.
 */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const parent = process.ppid;
    const orphaned = setInterval(() => {
      if (process.ppid !== parent) stop();
    }, 500);
    const stop = () => {
      clearInterval(orphaned);
      for (const name of STOP_SIGNALS) process.off(name, stop);
      resolve();
    };
    for (const name of STOP_SIGNALS) process.on(name, stop);
  });
}

function describeRequest(entry: MockRequestLog): string {
  const time = new Date(entry.at).toISOString().slice(11, 23);
  const fault = entry.fault ? ` [fault ${entry.fault}]` : '';
  const auth = entry.authorization === 'invalid' ? ' [bad token]' : '';
  return `${time} ${entry.listener} ${entry.method} ${entry.path} -> ${entry.outcome ?? 'closed'}${fault}${auth}`;
}

function collectFault(spec: string, previous: string[]): string[] {
  try {
    parseFaultSpec(spec);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return [...previous, spec];
}
