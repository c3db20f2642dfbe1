/**
 * Takes through the real CLI and the mock server: a retake is one more paid generation, every take
 * stays in the clip store, and choosing a take that exists costs nothing and submits nothing.
 */
import { access, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SummaryEvent } from '../../src/run/events.js';
import type { SceneTakes } from '../../src/run/takes.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import {
  journalRecords,
  jsonEvents,
  mockEnv,
  mockServer,
  readReport,
  renderArgs,
  waitFor,
  workspace,
} from './support.js';

/** A two-scene film; `takes` gives a scene's take (absent: no `take` key, as today). */
async function writeFilm(dir: string, takes: Record<string, number> = {}): Promise<string> {
  const scene = (id: string, prompt: string) => [
    `  - id: ${id}`,
    `    prompt: ${prompt}`,
    '    duration: 3',
    ...(takes[id] !== undefined ? [`    take: ${takes[id]}`] : []),
  ];
  const lines = [
    'version: 1',
    'defaults: { aspect_ratio: "16:9", sound: false }',
    'scenes:',
    ...scene('street', 'Autumn street'),
    ...scene('closeup', 'Close-up of the girl'),
  ];
  const file = path.join(dir, 'film.yaml');
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

/** The journal's records, without the temporary files of a write under way. */
async function committedRecords(out: string): Promise<Record<string, unknown>[]> {
  const dir = path.join(out, '.storyreel', 'jobs');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((name) =>
    /^[0-9a-f]{64}\.json$/.test(name),
  );
  return Promise.all(names.map(async (name) => JSON.parse(await readFile(path.join(dir, name), 'utf8'))));
}

/** The films' job keys as `plan --json` gives them (take 1 of each scene here). */
async function planKeys(file: string): Promise<string[]> {
  const planned = await runCli(['plan', file, '--json']);
  return (JSON.parse(planned.stdout) as { jobs: { key: string }[] }).jobs.map((job) => job.key);
}

const storedClip = (out: string, key: string) => path.join(out, '.storyreel', 'clips', `${key}.mp4`);

async function sceneOf(out: string, scene: string) {
  const report = await readReport(out, 'film');
  return report.scenes.find((entry) => entry.scene === scene)!;
}

/** The variant's clip is the stored clip of `key` (a hard link, or a copy of the same size). */
async function filmUsesClip(out: string, clipName: string, key: string): Promise<boolean> {
  const [inFilm, inStore] = await Promise.all([
    stat(path.join(out, 'film', 'default', 'clips', clipName)),
    stat(storedClip(out, key)),
  ]);
  return inFilm.ino === inStore.ino;
}

describe('takes', () => {
  it('a retake pays exactly one generation; switching back to take 1 pays none and submits nothing', async () => {
    const server = await mockServer();
    const ws = await workspace();
    const env = mockEnv(server);
    const file = await writeFilm(ws.dir);
    expect((await runCli(renderArgs(file, ws.out), { env })).exitCode).toBe(0);
    expect(server.submissions()).toBe(2);
    const take1 = await sceneOf(ws.out, 'street');

    await writeFilm(ws.dir, { street: 2 });
    // plan: take 2 of street is the one to pay, at its price; --max-cost counts it.
    const planned = await runCli(['plan', file, '--out', ws.out], { env });
    expect(planned.exitCode, planned.stderr).toBe(0);
    expect(planned.stdout).toMatch(/1\s+street\s+2\s.*\$0\.25\s+new\s+1\n/);
    expect(planned.stdout).toMatch(/2\s+closeup\s+1\s.*done\s+1\n/);
    expect(planned.stdout).toContain('Chosen takes still to pay for: street take 2 ($0.25)');
    const planJson = JSON.parse((await runCli(['plan', file, '--out', ws.out, '--json'], { env })).stdout);
    expect(
      planJson.jobs.map((job: { take: number; toPay: boolean; takesStored: number[] }) => [
        job.take,
        job.toPay,
        job.takesStored,
      ]),
    ).toEqual([
      [2, true, [1]],
      [1, false, [1]],
    ]);
    expect(planJson.costToGenerate).toBeCloseTo(take1.estimatedCost, 6);
    const tooDear = await runCli(renderArgs(file, ws.out, '--max-cost', '0.1'), { env });
    expect(tooDear.exitCode).toBe(3);
    expect(server.submissions()).toBe(2);

    const retake = await runCli(renderArgs(file, ws.out), { env });
    expect(retake.exitCode, retake.stderr).toBe(0);
    expect(server.submissions()).toBe(3);
    const take2 = await sceneOf(ws.out, 'street');
    expect(take2.key).not.toBe(take1.key);
    expect(take2.requestId).not.toBe(take1.requestId);
    expect(take2.reused).toBe(false);
    expect((await sceneOf(ws.out, 'closeup')).reused).toBe(true);
    expect(await filmUsesClip(ws.out, '01-street.mp4', take2.key)).toBe(true);
    // Both takes are kept: the first is still in the store, with its journal record.
    await access(storedClip(ws.out, take1.key));
    const records = await journalRecords(ws.out);
    expect(records.map((record) => [record.key, record.take, record.state]).sort()).toEqual(
      [
        [take1.key, 1, 'verified'],
        [take2.key, 2, 'verified'],
        [(await sceneOf(ws.out, 'closeup')).key, 1, 'verified'],
      ].sort(),
    );

    // `storyreel takes` lists both takes of street, take 2 in the film, and only one of closeup.
    const listed = await runCli(['takes', file, '--out', ws.out, '--json'], { env });
    expect(listed.exitCode, listed.stderr).toBe(0);
    const listing = JSON.parse(listed.stdout) as { scenes: SceneTakes[] };
    expect(
      listing.scenes.map((scene) => [
        scene.scene,
        scene.takes.map((t) => [t.take, t.stored, t.chosen, t.requestId]),
      ]),
    ).toEqual([
      [
        'street',
        [
          [1, true, false, take1.requestId],
          [2, true, true, take2.requestId],
        ],
      ],
      ['closeup', [[1, true, true, (await sceneOf(ws.out, 'closeup')).requestId]]],
    ]);
    const table = await runCli(['takes', file, '--out', ws.out, '--scene', 'street'], { env });
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toContain('film/default: 1 scene(s), 2 take(s) stored');
    expect(table.stdout).toMatch(/01\s+street\s+1\s+stored\s+verified/);
    expect(table.stdout).toMatch(/\n\s+2\s+in film\s+stored\s+verified/);
    expect(table.stdout).not.toContain('closeup');
    const typo = await runCli(['takes', file, '--out', ws.out, '--scene', 'closup'], { env });
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toContain(
      "--scene closup: no scene with that id in this render (did you mean 'closeup'?)",
    );

    expect((await runCli(['plan', file, '--out', ws.out], { env })).stdout).toContain(
      'Every chosen take is stored or already paid for: switching takes costs nothing.',
    );

    await writeFilm(ws.dir, { street: 1 });
    const back = await runCli(renderArgs(file, ws.out, '--json'), { env });
    expect(back.exitCode, back.stderr).toBe(0);
    expect(server.submissions()).toBe(3);
    const again = await sceneOf(ws.out, 'street');
    expect([again.key, again.requestId, again.reused]).toEqual([take1.key, take1.requestId, true]);
    expect(await filmUsesClip(ws.out, '01-street.mp4', take1.key)).toBe(true);
    expect((await readReport(ws.out, 'film')).cost.estimatedThisRun).toBe(0);
    await access(path.join(ws.out, 'film', 'default', 'film.mp4'));

    // And forward again to take 2: also free.
    await writeFilm(ws.dir, { street: 2 });
    expect((await runCli(renderArgs(file, ws.out), { env })).exitCode).toBe(0);
    expect(server.submissions()).toBe(3);
    expect((await sceneOf(ws.out, 'street')).requestId).toBe(take2.requestId);
  });

  it('every take survives a SIGKILL: the rerun collects the retakes by request id and pays for nothing twice', async () => {
    const server = await mockServer();
    const ws = await workspace();
    const env = mockEnv(server);
    const file = await writeFilm(ws.dir);
    expect((await runCli(renderArgs(file, ws.out), { env })).exitCode).toBe(0);
    const firstTakes = (await readReport(ws.out, 'film')).scenes.map((scene) => scene.key);

    server.setTiming({ slots: 0 }); // the retakes wait in the queue until the kill
    await writeFilm(ws.dir, { street: 2, closeup: 3 });
    const child = spawnCli(renderArgs(file, ws.out, '--concurrency', '2'), { env });
    // Killed once both retakes are paid for and their request ids are on disk (in the records
    // themselves, not in a temporary file about to be renamed over one).
    await waitFor(async () => {
      const records = await committedRecords(ws.out);
      return records.filter((record) => (record.take as number) > 1 && record.requestId).length === 2;
    });
    child.kill('SIGKILL');
    await child;
    expect(server.submissions()).toBe(4);

    server.setTiming({ slots: 4 });
    const resumed = await runCli(renderArgs(file, ws.out), { env });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(server.submissions()).toBe(4);
    const retakes = (await readReport(ws.out, 'film')).scenes;
    expect(retakes.map((scene) => scene.status)).toEqual(['verified', 'verified']);
    for (const key of [...firstTakes, ...retakes.map((scene) => scene.key)])
      await access(storedClip(ws.out, key));
    expect(new Set([...firstTakes, ...retakes.map((scene) => scene.key)]).size).toBe(4);

    // The first takes are still there to go back to, free.
    await writeFilm(ws.dir);
    expect((await runCli(renderArgs(file, ws.out), { env })).exitCode).toBe(0);
    expect(server.submissions()).toBe(4);
    expect((await readReport(ws.out, 'film')).scenes.map((scene) => scene.key)).toEqual(firstTakes);
  });

  it('a take that is not a whole number from 1 is refused by render before anything is sent', async () => {
    const server = await mockServer();
    const ws = await workspace();
    const file = path.join(ws.dir, 'film.yaml');
    await writeFile(file, 'version: 1\nscenes:\n  - id: street\n    prompt: Autumn street\n    take: 0\n');
    const refused = await runCli(renderArgs(file, ws.out), { env: mockEnv(server) });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(`${file}:5:11 scenes[0].take: must be from 1 to 99, not 0`);
    expect(refused.stderr).toContain('take: 2');
    expect(server.submissions()).toBe(0);
    await expect(access(ws.out)).rejects.toThrow();
  });

  it('render --takes 3 generates takes 1..3 of every scene without changing the film; the summary says what they cost', async () => {
    const server = await mockServer();
    const ws = await workspace();
    const env = mockEnv(server);
    const file = await writeFilm(ws.dir);
    const run = await runCli(renderArgs(file, ws.out, '--takes', '3', '--json'), { env });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(server.submissions()).toBe(6);
    const summary = jsonEvents(run.stdout).find((event) => event.type === 'summary') as SummaryEvent;
    const report = await readReport(ws.out, 'film');
    const perClip = report.scenes[0]!.estimatedCost;
    expect(summary.takes).toMatchObject({ upTo: 3, jobs: 4, stored: 4, thisRun: { jobs: 4 } });
    expect(summary.takes!.thisRun.estimatedUsd).toBeCloseTo(4 * perClip, 6);
    expect(run.stderr).toContain('Takes 1..3: 4 of 4 other take(s) stored');
    expect(run.stderr).toContain('4 paid this run');
    // The film still uses take 1 of each scene, and only its two clips count in its report.
    const take1 = await planKeys(file);
    expect(report.scenes.map((scene) => scene.key)).toEqual(take1);
    expect(await filmUsesClip(ws.out, '01-street.mp4', take1[0]!)).toBe(true);
    expect(report.cost.estimatedThisRun).toBeCloseTo(2 * perClip, 6);
    const listing = JSON.parse(
      (await runCli(['takes', file, '--out', ws.out, '--json'], { env })).stdout,
    ) as {
      scenes: SceneTakes[];
    };
    for (const scene of listing.scenes) {
      expect(scene.takes.map((take) => [take.take, take.stored, take.chosen])).toEqual([
        [1, true, true],
        [2, true, false],
        [3, true, false],
      ]);
    }

    // report.json lists every take of each scene; report.html shows them side by side, playable.
    const variantDir = path.join(ws.out, 'film', 'default');
    for (const [index, scene] of report.scenes.entries()) {
      const takes = scene.takes!;
      expect(takes.map((take) => [take.take, take.chosen, take.requestId, take.key])).toEqual(
        listing.scenes[index]!.takes.map((take) => [take.take, take.chosen, take.requestId, take.key]),
      );
      expect(takes[0]!.clip).toBe(scene.clip);
      for (const take of takes) {
        expect(take.estimatedCost).toBe(perClip);
        await access(path.join(variantDir, take.clip!));
      }
    }
    const page = await readFile(path.join(variantDir, 'report.html'), 'utf8');
    const tiles = [...page.matchAll(/<li class="(take[^"]*)" data-take="(\d+)">([\s\S]*?)<\/li>/g)];
    expect(tiles.map((tile) => [tile[1], tile[2]])).toEqual([
      ['take is-chosen', '1'],
      ['take', '2'],
      ['take', '3'],
      ['take is-chosen', '1'],
      ['take', '2'],
      ['take', '3'],
    ]);
    for (const [index, tile] of tiles.entries()) {
      const take = report.scenes[Math.floor(index / 3)]!.takes![index % 3]!;
      const video = tile[3]!.match(/<video controls preload="none" src="([^"]+)" poster="([^"]+)"/)!;
      expect(video[1]).toBe(take.clip);
      await access(path.join(variantDir, video[2]!)); // the thumbnail
      expect(tile[3]).toContain(take.requestId!);
      expect(tile[3]!.includes('In the film')).toBe(take.chosen);
    }

    // Asking again costs nothing; choosing take 3 in the storyboard costs nothing either.
    const again = await runCli(renderArgs(file, ws.out, '--takes', '2', '--scene', 'street'), { env });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain('nothing paid this run');
    await writeFilm(ws.dir, { street: 3 });
    expect((await runCli(renderArgs(file, ws.out), { env })).exitCode).toBe(0);
    expect(server.submissions()).toBe(6);
    const switched = await sceneOf(ws.out, 'street');
    expect(switched.key).toBe(listing.scenes[0]!.takes[2]!.key);
    expect(switched.takes!.map((take) => [take.take, take.chosen, take.clip])).toEqual([
      [1, false, 'takes/01-street-take1.mp4'],
      [2, false, 'takes/01-street-take2.mp4'],
      [3, true, 'clips/01-street.mp4'],
    ]);
    await expect(access(path.join(variantDir, 'takes', '01-street-take3.mp4'))).rejects.toThrow();
  });

  it('Ctrl-C during render --takes: the resume command keeps --takes, and cancel reaches the queued takes too', async () => {
    const server = await mockServer({ slots: 0 }); // everything stays queued
    const ws = await workspace();
    const env = mockEnv(server);
    const file = await writeFilm(ws.dir);
    const child = spawnCli(renderArgs(file, ws.out, '--takes', '2'), { env });
    await waitFor(
      async () => (await committedRecords(ws.out)).filter((record) => record.requestId).length === 4,
    );
    child.kill('SIGINT');
    const interrupted = await child;
    expect(interrupted.exitCode).toBe(130);
    expect(interrupted.stdout).toContain(`--takes 2`);
    const cancelled = await runCli(['cancel', file, '--out', ws.out], { env });
    expect(cancelled.exitCode, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toContain('Cancelled 4 queued job(s)');
    expect(cancelled.stdout).toContain('street take 2');
    expect(server.jobs().filter((job) => job.state === 'cancelled')).toHaveLength(4);
  });

  it('refuses --takes 0, a large --takes without --max-cost, and an unknown --scene, before anything is sent', async () => {
    const server = await mockServer();
    const ws = await workspace();
    const env = mockEnv(server);
    const file = await writeFilm(ws.dir);
    const zero = await runCli(renderArgs(file, ws.out, '--takes', '0'), { env });
    expect(zero.exitCode).toBe(2);
    expect(zero.stderr).toContain('--takes needs a whole number from 1 to 99, got "0"');
    const many = await runCli(renderArgs(file, ws.out, '--takes', '20'), { env });
    expect(many.exitCode).toBe(2);
    expect(many.stderr).toContain('--takes 20 may generate up to 38 more clips (2 scene(s))');
    expect(many.stderr).toContain('say what you are willing to spend with --max-cost USD');
    const typo = await runCli(renderArgs(file, ws.out, '--takes', '2', '--scene', 'closup'), { env });
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toContain(
      "--scene closup: no scene with that id in this render (did you mean 'closeup'?)",
    );
    const alone = await runCli(renderArgs(file, ws.out, '--scene', 'street'), { env });
    expect(alone.exitCode).toBe(2);
    expect(alone.stderr).toContain('--scene street goes with --takes N');
    // With a budget, --max-cost counts the takes to generate: 2 scenes x 19 takes do not fit in $1.
    const over = await runCli(renderArgs(file, ws.out, '--takes', '20', '--max-cost', '1'), { env });
    expect(over.exitCode).toBe(3);
    expect(server.submissions()).toBe(0);
    await expect(access(ws.out)).rejects.toThrow();
  });
});
