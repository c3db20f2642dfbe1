/**
 * `npx storyreel mock-server`, stopped the way a script stops it (SIGTERM to the npx process it
 * started): the server must not stay behind, orphaned and listening.
 */
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';

let serverPid: number | undefined;
afterEach(() => {
  // Only if the test failed: never leave a listening server behind.
  if (serverPid !== undefined && alive(serverPid)) process.kill(serverPid, 'SIGKILL');
  serverPid = undefined;
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves with `pattern`'s first match in what the stream prints. */
function printed(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const match = pattern.exec(text);
      if (match) {
        stream.off('data', onData);
        resolve(match);
      }
    };
    stream.on('data', onData);
    stream.once('end', () => reject(new Error(`never printed ${pattern}: ${text}`)));
  });
}

describe('storyreel mock-server through npx', () => {
  it('stops when the npx that started it is sent SIGTERM', async () => {
    // A user's shell: PATH without node_modules/.bin, so npx itself finds the project's storyreel.
    const PATH = (process.env.PATH ?? '')
      .split(path.delimiter)
      .filter((dir) => !dir.includes('node_modules'))
      .join(path.delimiter);
    const npx = execa('npx', ['storyreel', 'mock-server', '--port', '0', '--quiet'], {
      cwd: repoRoot,
      env: { PATH, CI: 'true' },
      reject: false,
      timeout: 120_000,
    });
    const [, url] = await printed(npx.stdout!, /^(http:\/\/127\.0\.0\.1:\d+)$/m);
    const [, pid] = await printed(npx.stderr!, /kill (\d+)\) stops it/);
    serverPid = Number(pid);
    expect((await fetch(`${url}/__mock/stats`)).status).toBe(200);

    npx.kill('SIGTERM');
    // Before awaiting npx: an orphaned server would hold its output pipes open.
    await waitFor(() => !alive(serverPid!), 30_000);
    await npx;
    await expect(fetch(`${url}/__mock/stats`)).rejects.toThrow();
  });
});
