/**
 * Someone edits the output folder between runs: clips deleted or damaged by hand, the film gone, the
 * whole clip store or the journal removed, a journal record broken. The rerun notices, fetches again
 * what it can by request id (paying nothing), and refuses to guess where guessing could cost money.
 */
import { readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MockServer } from '../../src/providers/mock-server/server.js';
import type { RunEvent } from '../../src/run/events.js';
import { runCli } from '../helpers/cli.js';
import {
  cleanRunEvents,
  type FilmFingerprint,
  filmFingerprint,
  readJournal,
  storeSnapshot,
} from './support/checks.js';
import { mockEnv, startMock } from './support/mock.js';
import { filmPath, renderArgs, type Workspace, workspace, writeFilm } from './support/workspace.js';

let server: MockServer;
let ws: Workspace;
let file: string;
let original: FilmFingerprint;
let originalStore: Map<string, string>;

const storeDir = () => path.join(ws.out, '.storyreel', 'clips');
const jobsDir = () => path.join(ws.out, '.storyreel', 'jobs');
const variantClips = () => path.join(ws.out, 'film', 'default', 'clips');

async function rerun(allowed = [0]): Promise<RunEvent[]> {
  return cleanRunEvents(await runCli(renderArgs(file, ws.out), { env: mockEnv(server) }), allowed);
}

/** The store clip of scene `index` (0-based), via the journal record of its payload. */
async function storedClipOf(index: number): Promise<string> {
  const { records } = await readJournal(ws.out);
  const record = records.find((r) => r.payload.prompt === `tampered number ${index + 1}`)!;
  return path.join(storeDir(), `${record.id}.mp4`);
}

beforeAll(async () => {
  server = await startMock();
  ws = await workspace();
  file = await writeFilm(ws.dir, { scenes: 4, multiShot: [1], prompt: 'tampered' });
  cleanRunEvents(await runCli(renderArgs(file, ws.out), { env: mockEnv(server) }), [0]);
  original = await filmFingerprint(filmPath(ws.out));
  originalStore = await storeSnapshot(ws.out);
});
describe('an output folder edited by hand between runs', () => {
  it('deleted, truncated and overwritten clips and a deleted film: fetched again by request id, nothing paid', async () => {
    await rm(await storedClipOf(0));
    const clips = (await readdir(variantClips())).sort();
    await truncate(path.join(variantClips(), clips[1]!), 1000); // a hard link: the store's copy too
    await writeFile(await storedClipOf(2), Buffer.alloc(4096, 0x55), { flag: 'r+' }); // header destroyed, same size
    await rm(filmPath(ws.out));
    const events = await rerun();
    const invalid = events.filter((e) => e.type === 'warning' && e.code === 'stored_clip_invalid');
    expect(invalid).toHaveLength(2);
    expect(events.filter((e) => e.type === 'downloaded')).toHaveLength(3);
    expect(server.jobs()).toHaveLength(4);
    expect(await storeSnapshot(ws.out)).toEqual(originalStore);
    expect(await filmFingerprint(filmPath(ws.out))).toEqual(original);
  });

  it('a truncated film is joined again', async () => {
    await truncate(filmPath(ws.out), 2000);
    const events = await rerun();
    expect(events.some((e) => e.type === 'film' && e.joinMode !== 'unchanged')).toBe(true);
    expect(await filmFingerprint(filmPath(ws.out))).toEqual(original);
  });

  it('the whole clip store deleted: every clip fetched again, nothing paid', async () => {
    await rm(storeDir(), { recursive: true });
    await rm(variantClips(), { recursive: true });
    const events = await rerun();
    expect(events.filter((e) => e.type === 'downloaded')).toHaveLength(4);
    expect(server.jobs()).toHaveLength(4);
    expect(await filmFingerprint(filmPath(ws.out))).toEqual(original);
  });

  it('the journal deleted: the verified clips in the store are reused, nothing paid', async () => {
    await rm(jobsDir(), { recursive: true });
    const events = await rerun();
    const summary = events.at(-1)!;
    expect(summary).toMatchObject({ type: 'summary', submitted: 0, jobs: { reused: 4 } });
    expect(server.jobs()).toHaveLength(4);
    expect(await filmFingerprint(filmPath(ws.out))).toEqual(original);
  });

  it('a broken journal record: exit 2 naming the file, nothing sent, until it is restored', async () => {
    const [name] = await readdir(jobsDir());
    const record = path.join(jobsDir(), name!);
    const text = await readFile(record, 'utf8');
    await writeFile(record, text.slice(0, text.length / 2));
    const requests = server.requests.length;
    const refused = await runCli(renderArgs(file, ws.out), { env: mockEnv(server) });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(name!);
    expect(refused.stderr).toMatch(/cannot be read/);
    expect(refused.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(server.requests.length).toBe(requests);
    await writeFile(record, text);
    await rerun();
    expect(server.jobs()).toHaveLength(4);
  });
});
