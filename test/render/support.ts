/**
 * For end-to-end render tests: storyboards in temp folders, the mock server, and reading the results.
 * The folders and servers made here are removed and closed when the test that made them ends.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type MockServer,
  type MockServerOptions,
  startMockServer,
} from '../../src/providers/mock-server/server.js';
import type { FilmReport } from '../../src/report/types.js';
import type { RunEvent } from '../../src/run/events.js';
import type { CliOptions } from '../helpers/cli.js';
import { closedAfterTest, workspace as tempWorkspace, type Workspace } from '../helpers/fixtures.js';

export { closedAfterTest, killedAfterTest, type Workspace } from '../helpers/fixtures.js';
export { waitFor } from '../helpers/wait.js';

export function workspace(): Promise<Workspace> {
  return tempWorkspace('storyreel-render-');
}

export interface SceneSpec {
  id: string;
  prompt: string;
  duration?: number;
}

/** Writes a storyboard of 3-second silent scenes (quick to synthesise and probe). */
export async function writeStoryboard(
  dir: string,
  scenes: SceneSpec[],
  options: { name?: string; variants?: string } = {},
): Promise<string> {
  const lines = [
    'version: 1',
    'title: Test film',
    'defaults:',
    '  aspect_ratio: "16:9"',
    '  sound: false',
    'scenes:',
    ...scenes.flatMap((scene) => [
      `  - id: ${scene.id}`,
      `    prompt: ${JSON.stringify(scene.prompt)}`,
      `    duration: ${scene.duration ?? 3}`,
    ]),
    ...(options.variants ? ['variants:', options.variants] : []),
  ];
  const file = path.join(dir, `${options.name ?? 'film'}.yaml`);
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

export function scenes(count: number, prefix = 'scene'): SceneSpec[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `${prefix}${index + 1}`,
    prompt: `${prefix} number ${index + 1}`,
  }));
}

/** Small, fast clips; short queue and generation; every test server on 127.0.0.1, closed after the test. */
export async function mockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const server = await startMockServer({
    size: '160x90',
    queueMs: 50,
    generationMs: 300,
    slots: 4,
    ...options,
  });
  return closedAfterTest(server);
}

export function mockEnv(server: MockServer): CliOptions['env'] {
  return { RUNCOMFY_BASE_URL: server.url, RUNCOMFY_API_TOKEN: server.token };
}

/** Render arguments that make tests quick: frequent polls. */
export function renderArgs(file: string, out: string, ...extra: string[]): string[] {
  return ['render', file, '--out', out, '--poll-interval', '0.05', ...extra];
}

export async function readReport(out: string, storyboard: string, variant = 'default'): Promise<FilmReport> {
  return JSON.parse(await readFile(path.join(out, storyboard, variant, 'report.json'), 'utf8')) as FilmReport;
}

export async function journalRecords(out: string): Promise<Record<string, unknown>[]> {
  const dir = path.join(out, '.storyreel', 'jobs');
  // Committed records only: a hidden temporary one may be half written or renamed away mid-read.
  const names = (await readdir(dir).catch(() => [] as string[])).filter(
    (name) => name.endsWith('.json') && !name.startsWith('.'),
  );
  return Promise.all(names.map(async (name) => JSON.parse(await readFile(path.join(dir, name), 'utf8'))));
}

export function jsonEvents(stdout: string): RunEvent[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RunEvent);
}

/** API requests the mock server saw for an endpoint. */
export function requestsTo(server: MockServer, endpoint: string): number {
  return server.requests.filter((entry) => entry.endpoint === endpoint).length;
}
