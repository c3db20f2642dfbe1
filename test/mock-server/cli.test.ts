/** `storyreel mock-server` as a user runs it: a child process that a RunComfy client can talk to. */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KLING_MODEL_ID } from '../../src/plan/types.js';
import { startMockServer } from '../../src/providers/mock-server/server.js';
import { createRunComfyProvider } from '../../src/providers/runcomfy/client.js';
import { runCli, spawnCli } from '../helpers/cli.js';

/** Resolves with the first line the process prints on stdout. */
function firstLine(stdout: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const end = text.indexOf('\n');
      if (end >= 0) {
        stdout.off('data', onData);
        resolve(text.slice(0, end));
      }
    };
    stdout.on('data', onData);
    stdout.once('end', () => reject(new Error(`the mock server printed no URL: ${text}`)));
  });
}

describe('storyreel mock-server', () => {
  it('prints its base URL, serves the RunComfy contract with the faults asked for, and stops on SIGTERM', async () => {
    const child = spawnCli([
      'mock-server',
      '--token',
      'cli-token',
      '--queue-ms',
      '0',
      '--generation-ms',
      '50',
      '--size',
      '320x180',
      '--fault',
      'status:503:next=1',
      '--fault',
      'media:truncate:next=1',
    ]);
    try {
      const url = await firstLine(child.stdout!);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const provider = createRunComfyProvider({
        env: { RUNCOMFY_API_TOKEN: 'cli-token', RUNCOMFY_BASE_URL: url },
        maxRequestsPerSecond: 100,
        retry: { baseDelayMs: 5, maxDelayMs: 20 },
      });
      const payload = {
        prompt: 'a paper boat in a gutter stream',
        negative_prompt: '',
        duration: 3,
        aspect_ratio: '16:9' as const,
        cfg_scale: 0.5,
        sound: true,
        shot_type: 'intelligent' as const,
        multi_prompt: [],
      };
      const { requestId } = await provider.submit({ model: KLING_MODEL_ID, payload });
      let state = await provider.status(requestId);
      for (let attempt = 0; attempt < 300 && state.state !== 'completed'; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        state = await provider.status(requestId);
      }
      expect(state).toEqual({ state: 'completed' });
      const folder = await mkdtemp(path.join(os.tmpdir(), 'storyreel-cli-mock-'));
      const destination = path.join(folder, 'clip.mp4');
      try {
        const { bytes } = await provider.download(requestId, destination);
        expect((await stat(destination)).size).toBe(bytes);
      } finally {
        await rm(folder, { recursive: true, force: true });
      }

      const stats = (await (await fetch(`${url}/__mock/stats`)).json()) as { submissions: number };
      expect(stats.submissions).toBe(1);
      const log = (await (await fetch(`${url}/__mock/requests`)).json()) as Array<Record<string, unknown>>;
      expect(log.filter((entry) => entry.fault).map((entry) => entry.fault)).toEqual([
        'status:503',
        'media:truncate',
      ]);
      expect(
        log.filter((entry) => entry.listener === 'media').every((entry) => entry.authorization === 'absent'),
      ).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    const ended = await child;
    expect(ended.exitCode).toBe(0);
    expect(ended.stdout).toContain('RUNCOMFY_BASE_URL=http://127.0.0.1:');
    expect(ended.stdout).not.toContain('cli-token');
    expect(ended.stderr).toContain('[fault status:503]');
  });

  it('says so when its port is taken, with exit code 2', async () => {
    const taken = await startMockServer();
    try {
      const run = await runCli(['mock-server', '--port', String(taken.port)]);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain(`cannot listen on 127.0.0.1:${taken.port} (EADDRINUSE)`);
    } finally {
      await taken.close();
    }
  });

  it('refuses a fault spec it cannot read, with exit code 2 and the syntax', async () => {
    const run = await runCli(['mock-server', '--fault', 'status:sometimes']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('bad fault spec "status:sometimes"');
    expect(run.stderr).toContain('ENDPOINT:KIND');
  });
});
