/**
 * The API token never leaves the API's origin: not on disk, not in any output (live lines, --json
 * events, summaries, error messages), not sent to the host that serves the videos. A whole render
 * with faults that produce every kind of message is searched for it, byte for byte.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MockServer } from '../../src/providers/mock-server/server.js';
import { type CliRun, runCli } from '../helpers/cli.js';
import { mockEnv, startMock } from './support/mock.js';
import { renderArgs, type Workspace, workspace, writeFilm } from './support/workspace.js';

const TOKEN = 'rc-SECRET-9f3a7c1e-do-not-leak-42';
const WRONG_TOKEN = 'rc-WRONG-5b2d8e0a-also-secret-17';

/** The token as text, and the forms it would take in a header dump or an encoded log line. */
function forms(token: string): string[] {
  return [
    token,
    Buffer.from(token).toString('base64'),
    Buffer.from(`Bearer ${token}`).toString('base64'),
    encodeURIComponent(token),
  ];
}

async function filesBelow(dir: string): Promise<string[]> {
  const names = (await readdir(dir, { recursive: true })) as string[];
  const files: string[] = [];
  for (const name of names) {
    const full = path.join(dir, name);
    const bytes = await readFile(full).catch(() => undefined); // folders fail: skipped
    if (bytes) files.push(full);
  }
  return files;
}

let server: MockServer;
let ws: Workspace;
const runs: CliRun[] = [];

beforeAll(async () => {
  server = await startMock({
    token: TOKEN,
    faults: [
      'submit:reset:next=1',
      'status:500:next=2',
      'media:expired:next=1',
      'generation:fail:next=1',
      'result:malformed:next=1',
    ],
  });
  ws = await workspace();
  const file = await writeFilm(ws.dir, { scenes: 4, multiShot: [2], prompt: 'secret' });
  const env = mockEnv(server);
  runs.push(await runCli(renderArgs(file, ws.out), { env })); // --json, with failures
  server.clearFaults();
  const human = ['render', file, '--out', ws.out, '--poll-interval', '0.05']; // plain log lines, summary
  runs.push(await runCli(human, { env }));
  runs.push(await runCli(['status', file, '--out', ws.out], { env }));
  runs.push(await runCli(['status', file, '--out', ws.out, '--json'], { env }));
  runs.push(await runCli(['cancel', file, '--out', ws.out], { env }));
  runs.push(await runCli(human, { env: { ...env, RUNCOMFY_API_TOKEN: WRONG_TOKEN } })); // refused token
  const edited = await writeFilm(ws.dir, { scenes: 4, multiShot: [2], prompt: 'secret edited' });
  runs.push(await runCli(renderArgs(edited, ws.out), { env: { ...env, RUNCOMFY_API_TOKEN: WRONG_TOKEN } }));
});
describe('the API token', () => {
  it('the render really ran: a film, failures on the way, and a refused token', () => {
    expect(runs[0]!.exitCode).toBe(1);
    expect(runs[1]!.exitCode).toBe(0);
    expect(runs[6]!.exitCode).not.toBe(0);
    expect(runs[6]!.stdout + runs[6]!.stderr).toMatch(/token/i);
  });

  it('appears in no file written under the output folder', async () => {
    const files = await filesBelow(ws.out);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const bytes = await readFile(file);
      for (const form of [...forms(TOKEN), ...forms(WRONG_TOKEN)]) {
        expect(bytes.includes(Buffer.from(form)), `${form} in ${file}`).toBe(false);
      }
    }
  });

  it('appears in no output: stdout, stderr, --json events', () => {
    for (const run of runs) {
      for (const form of [...forms(TOKEN), ...forms(WRONG_TOKEN)]) {
        expect(run.stdout).not.toContain(form);
        expect(run.stderr).not.toContain(form);
      }
    }
  });

  it('is sent to the API on every call and never to the video host', () => {
    const api = server.requests.filter((entry) => entry.listener === 'api');
    const media = server.requests.filter((entry) => entry.listener === 'media');
    expect(media.length).toBeGreaterThan(4);
    for (const entry of media) {
      expect(entry.authorization).toBe('absent');
      expect(Object.keys(entry.headers)).not.toContain('authorization');
      expect(JSON.stringify(entry.headers)).not.toContain(TOKEN);
    }
    expect(api.filter((entry) => entry.authorization === 'absent')).toEqual([]);
  });
});
