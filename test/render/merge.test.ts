/** `storyreel merge`: the shards' stores in one folder, checked, then films with render --no-submit. */
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MockServer } from '../../src/providers/mock-server/server.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import {
  mockEnv,
  mockServer,
  readReport,
  renderArgs,
  requestsTo,
  scenes,
  waitFor,
  workspace,
  writeStoryboard,
} from './support.js';

/** Two shards of a 3-scene, 2-variant storyboard rendered into dir/shard-1 and dir/shard-2. */
async function twoShards(dir: string, paid: MockServer): Promise<{ file: string; shards: string[] }> {
  const file = await writeStoryboard(dir, scenes(3), {
    variants: '  vertical: { defaults: { aspect_ratio: "9:16" } }',
  });
  const shards = [1, 2].map((k) => path.join(dir, `shard-${k}`));
  for (const [index, out] of shards.entries()) {
    const run = await runCli(renderArgs(file, out, '--all-variants', '--shard', `${index + 1}/2`), {
      env: mockEnv(paid),
    });
    expect(run.exitCode).toBe(0);
  }
  return { file, shards };
}

describe('storyreel merge', () => {
  // Rendered once for the two tests that read them (neither writes into a shard).
  let paid: MockServer;
  let rendered: { file: string; shards: string[] };
  beforeAll(async () => {
    const shardsDir = await workspace();
    paid = await mockServer({ slots: 6 });
    rendered = await twoShards(shardsDir.dir, paid);
  });

  it('unites the shards so that render --no-submit makes every film, sending nothing; merging again changes nothing', async () => {
    const ws = await workspace();
    const { file, shards } = rendered;
    expect(paid.submissions()).toBe(6);

    const merged = await runCli(['merge', ...shards, '--out', ws.out]);
    expect(merged.exitCode).toBe(0);
    expect(merged.stderr).toBe('');
    expect(
      (await readdir(path.join(ws.out, '.storyreel', 'clips'))).filter((n) => n.endsWith('.mp4')),
    ).toHaveLength(6);
    const again = await runCli(['merge', ...shards, '--out', ws.out]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/0 clip\(s\) and 0 record\(s\) merged/);

    const fresh = await mockServer();
    const finish = await runCli(renderArgs(file, ws.out, '--all-variants', '--no-submit'), {
      env: mockEnv(fresh),
    });
    expect(finish.exitCode).toBe(0);
    expect(fresh.requests).toHaveLength(0);
    for (const variant of ['default', 'vertical']) {
      expect((await readReport(ws.out, 'film', variant)).status).toBe('complete');
    }
  });

  it('refuses a clip that fails verification and a record whose request id disagrees, keeping what is there', async () => {
    const ws = await workspace();
    const { shards } = rendered;
    expect((await runCli(['merge', shards[0]!, '--out', ws.out])).exitCode).toBe(0);
    // A copy of shard 1 whose first record names another request and whose clip is damaged.
    const other = path.join(ws.dir, 'other');
    await cp(shards[0]!, other, { recursive: true });
    const [name] = (await readdir(path.join(other, '.storyreel', 'jobs'))).filter((n) => n.endsWith('.json'));
    const recordFile = path.join(other, '.storyreel', 'jobs', name!);
    const record = JSON.parse(await readFile(recordFile, 'utf8'));
    const before = await readFile(path.join(ws.out, '.storyreel', 'jobs', name!), 'utf8');
    record.requestId = 'another-request';
    await writeFile(recordFile, JSON.stringify(record));
    await writeFile(path.join(other, '.storyreel', 'clips', name!.replace('.json', '.mp4')), 'not a video');

    const run = await runCli(['merge', other, '--out', ws.out]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/refused: .*\.mp4: fails verification/);
    expect(run.stderr).toMatch(
      /refused: .*\.json: request another-request disagrees with request \S+ of the same job/,
    );
    expect(await readFile(path.join(ws.out, '.storyreel', 'jobs', name!), 'utf8')).toBe(before);
  });

  it('carries the request ids of a shard stopped mid-run, so the finishing render polls them and pays nothing', async () => {
    const ws = await workspace();
    const slow = await mockServer({ generationMs: 2500, slots: 4 });
    const file = await writeStoryboard(ws.dir, scenes(2));
    const shard = path.join(ws.dir, 'shard-1');
    const child = spawnCli(renderArgs(file, shard, '--shard', '1/1'), { env: mockEnv(slow) });
    await waitFor(() => slow.submissions() === 2 && requestsTo(slow, 'status') > 0);
    child.kill('SIGINT');
    expect((await child).exitCode).toBe(130);

    expect((await runCli(['merge', shard, '--out', ws.out])).exitCode).toBe(0);
    const finish = await runCli(renderArgs(file, ws.out, '--no-submit'), { env: mockEnv(slow) });
    expect(finish.exitCode).toBe(0);
    expect(slow.submissions()).toBe(2);
    expect((await readReport(ws.out, 'film')).status).toBe('complete');
  });

  it('refuses to merge into a folder a render holds the lock on, and a folder that holds no store', async () => {
    const ws = await workspace();
    const slow = await mockServer({ generationMs: 4000 });
    const file = await writeStoryboard(ws.dir, scenes(1));
    const source = path.join(ws.dir, 'source');
    expect((await runCli(renderArgs(file, source, '--provider', 'preview'))).exitCode).toBe(0);
    const child = spawnCli(renderArgs(file, ws.out), { env: mockEnv(slow) });
    await waitFor(() => slow.submissions() === 1);
    const locked = await runCli(['merge', source, '--out', ws.out]);
    child.kill('SIGINT');
    await child;
    expect(locked.exitCode).toBe(2);
    expect(locked.stderr).toMatch(/is in use by storyreel process \d+ \(storyreel render/);
    const empty = await runCli(['merge', path.join(ws.dir, 'nothing'), '--out', ws.out]);
    expect(empty.exitCode).toBe(2);
    expect(empty.stderr).toContain('holds no store');
  });
});
