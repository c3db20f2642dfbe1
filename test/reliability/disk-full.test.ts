/**
 * The disk fills up while clips download: the scenes fail with a clear reason (exit 1), the journal
 * stays readable, the request ids are kept, and once there is room again the rerun downloads the
 * same jobs without paying for any of them again.
 */

import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { ffmpegPath } from '../../src/media/binaries.js';
import { probe } from '../../src/media/probe.js';
import type { MockServer } from '../../src/providers/mock-server/server.js';
import type { FailedEvent } from '../../src/run/events.js';
import type { CliRun } from '../helpers/cli.js';
import { auditPayments, cleanRunEvents, readJournal, storeSnapshot } from './support/checks.js';
import { renderOnDisk, type SmallDisk, smallDisk } from './support/filesystems.js';
import { mockEnv, startMock } from './support/mock.js';
import { filmPath, type Workspace, workspace, writeFilm } from './support/workspace.js';

/** Room for the lock and the journal (a few KB), not for a clip (~650 KB, see bigClip). */
const ROOM_BYTES = 64 * 1024;

let ws: Workspace;
let disk: SmallDisk;
let server: MockServer;
beforeAll(async () => {
  ws = await workspace();
  disk = await smallDisk(ws.dir, ROOM_BYTES);
  const clip = await bigClip(ws.dir);
  server = await startMock({ clipFor: () => clip });
});

/** A detailed 640x360 clip with sound, 3 s: far larger than the room left on the disk. */
async function bigClip(dir: string): Promise<string> {
  const file = path.join(dir, 'big.mp4');
  const source = ['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=24:duration=3'];
  const sound = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=3'];
  const encode = [
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
  ];
  await execa(ffmpegPath(), ['-v', 'error', '-y', ...source, ...sound, ...encode, file]);
  return file;
}

function render(file: string): Promise<CliRun> {
  return renderOnDisk(disk, file, mockEnv(server));
}

describe('the disk fills up while downloading', () => {
  it('fails the scenes clearly, keeps the request ids, and the rerun pays nothing again', async () => {
    console.log(`[reliability] disk full made with: ${disk.method}`);
    const file = await writeFilm(ws.dir, { scenes: 1, prompt: 'disk full' });

    const full = await render(file);
    const events = cleanRunEvents(full, [1]);
    const failed = events.filter((event): event is FailedEvent => event.type === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const event of failed) expect(event.error.message).toMatch(/ENOSPC|EFBIG|no space|too large/i);
    const { records } = await readJournal(disk.out);
    expect(records).toHaveLength(1);
    for (const record of records) expect(record.requestId).toEqual(expect.any(String));
    const submitted = server.submissions();
    expect(submitted).toBe(1);

    await disk.makeRoom();
    const rerun = await render(file);
    cleanRunEvents(rerun, [0]);
    expect(server.submissions()).toBe(submitted);
    expect((await storeSnapshot(disk.out)).size).toBe(1);
    expect(auditPayments(server, (await readJournal(disk.out)).records).unreportedDuplicates).toBe(0);
    const film = await probe(filmPath(disk.out));
    expect(film.durationSec).toBeCloseTo(3, 0);
    expect(film.audio).toBeDefined();
  });
});
