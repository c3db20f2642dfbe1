/**
 * Two ways to run a render against the mock server, both with the real RunComfy client, real HTTP,
 * real ffmpeg and the journal on disk: the shipped binary in a child process (what users run), and
 * the same library calls in this process with short client timeouts, for faults whose cost through
 * the CLI is a 30-second timeout (a server that stops answering).
 */
import { StoryreelError } from '../../../src/errors.js';
import type { MockServer } from '../../../src/providers/mock-server/server.js';
import { createRunComfyProvider } from '../../../src/providers/runcomfy/client.js';
import { executeRender, prepareRender } from '../../../src/run/render.js';
import { type CliRun, runCli } from '../../helpers/cli.js';
import { mockEnv } from './mock.js';
import { renderArgs } from './workspace.js';

export interface RenderCall {
  file: string;
  out: string;
  concurrency?: number;
  extraArgs?: string[];
}

export type Renderer = (server: MockServer, call: RenderCall) => Promise<CliRun>;

export const cliRenderer: Renderer = (server, call) =>
  runCli(
    renderArgs(
      call.file,
      call.out,
      '--concurrency',
      String(call.concurrency ?? 3),
      ...(call.extraArgs ?? []),
    ),
    {
      env: mockEnv(server),
    },
  );

/** Client limits small enough that a hanging server costs well under a second per attempt. */
export const QUICK_CLIENT = {
  timeoutMs: 400,
  maxRequestsPerSecond: 50,
  retry: { attempts: 4, baseDelayMs: 20, maxDelayMs: 200, maxRetryAfterMs: 3000 },
  download: { attempts: 5, stallTimeoutMs: 400 },
};

/**
 * For renders that are not about faults (the reference films): a loaded machine (ffmpeg making the
 * mock's clips on both cores) must not turn a slow answer into a failed scene.
 */
export const PATIENT_CLIENT = {
  ...QUICK_CLIENT,
  timeoutMs: 15_000,
  download: { attempts: 5, stallTimeoutMs: 15_000 },
};

/** `storyreel render --json` in this process, with QUICK_CLIENT; output shaped like a CLI run. */
export const inProcessRenderer: Renderer = (server, call) => renderInProcess(server, call, QUICK_CLIENT);

/** inProcessRenderer with PATIENT_CLIENT. */
export const patientInProcessRenderer: Renderer = (server, call) =>
  renderInProcess(server, call, PATIENT_CLIENT);

async function renderInProcess(
  server: Parameters<Renderer>[0],
  call: Parameters<Renderer>[1],
  client: typeof QUICK_CLIENT,
): ReturnType<Renderer> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  try {
    const prepared = await prepareRender({
      files: [call.file],
      variants: [],
      allVariants: false,
      provider: 'runcomfy',
      concurrency: call.concurrency ?? 3,
      outDir: call.out,
      pollIntervalSec: 0.05,
      timeoutMin: 1,
      rerender: [],
      cwd: process.cwd(),
      env: mockEnv(server),
      resumeCommand: 'storyreel render (in-process)',
    });
    const provider = createRunComfyProvider({ env: mockEnv(server), ...client });
    const result = await executeRender(
      { ...prepared, provider },
      { emit: (event) => stdout.push(JSON.stringify(event)), warn: (message) => stderr.push(message) },
    );
    return { exitCode: result.exitCode, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
  } catch (error) {
    // What main() does with an error that reaches it.
    if (error instanceof StoryreelError) {
      return {
        exitCode: error.exitCode,
        stdout: stdout.join('\n'),
        stderr: [...stderr, error.message].join('\n'),
      };
    }
    const text = `storyreel: internal error (please report it): ${(error as Error)?.stack ?? error}`;
    return { exitCode: 70, stdout: stdout.join('\n'), stderr: [...stderr, text].join('\n') };
  }
}
