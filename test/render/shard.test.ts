/** `render --shard K/N`: each machine of a matrix generates its share of the distinct jobs, once. */
import { access, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { mockEnv, mockServer, renderArgs, scenes, workspace, writeStoryboard } from './support.js';

const storedKeys = async (out: string) =>
  (await readdir(path.join(out, '.storyreel', 'clips')).catch(() => [] as string[])).filter((name) =>
    name.endsWith('.mp4'),
  );

describe('render --shard K/N', () => {
  it('three shards generate every distinct job of the campaign exactly once, and join nothing', async () => {
    const server = await mockServer({ slots: 6 });
    const ws = await workspace();
    const variants = '  vertical: { defaults: { aspect_ratio: "9:16" } }\n  teaser: { only: [scene1] }';
    const file = await writeStoryboard(ws.dir, scenes(3), { variants });
    const env = mockEnv(server);
    const planned = await runCli(['plan', file, '--all-variants', '--shard', '2/3', '--json']);
    expect(planned.exitCode).toBe(0);
    const split = JSON.parse(planned.stdout) as {
      shard: number;
      shards: { jobs: number; costToGenerate: number }[];
    };
    expect(split.shard).toBe(2);
    const table = await runCli(['plan', file, '--all-variants', '--shard', '2/3']);
    expect(table.stdout).toMatch(/^ {2}2\/3: \d+ distinct job\(s\), \$[\d.]+ to pay {2}<- this shard$/m);
    const byShard: string[][] = [];
    for (const k of [1, 2, 3]) {
      const out = path.join(ws.dir, `shard-${k}`);
      const run = await runCli(renderArgs(file, out, '--all-variants', '--shard', `${k}/3`), { env });
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain(`shard ${k}/3: `);
      expect(run.stdout).toContain('of the 6 distinct jobs; no film joined');
      await expect(access(path.join(out, 'film', 'default', 'film.mp4'))).rejects.toThrow();
      byShard.push(await storedKeys(out));
    }
    const all = byShard.flat();
    // default 3 + vertical 3; the teaser's one scene is default's job.
    expect(all).toHaveLength(6);
    expect(new Set(all).size).toBe(6);
    expect(server.submissions()).toBe(6);
    // plan --shard said how many jobs each shard would generate.
    expect(split.shards.map((shard) => shard.jobs)).toEqual(byShard.map((clips) => clips.length));

    // The same job is in the same shard whatever else is rendered: shard 1 of default alone.
    const alone = path.join(ws.dir, 'alone');
    expect((await runCli(renderArgs(file, alone, '--shard', '1/3'), { env })).exitCode).toBe(0);
    for (const clip of await storedKeys(alone)) expect(byShard[0]).toContain(clip);
  });

  it("holds a shard's --max-cost to that shard's jobs, as plan --shard prices them, not the campaign's", async () => {
    const server = await mockServer({ slots: 6 });
    const ws = await workspace();
    const variants = '  vertical: { defaults: { aspect_ratio: "9:16" } }';
    const file = await writeStoryboard(ws.dir, scenes(3, 'frame'), { variants });
    const env = mockEnv(server);
    const planned = await runCli(['plan', file, '--all-variants', '--shard', '1/3', '--json']);
    const { costToGenerate, shards } = JSON.parse(planned.stdout) as {
      costToGenerate: number;
      shards: { costToGenerate: number }[];
    };
    const [first, second] = shards.map((shard) => shard.costToGenerate) as [number, number];
    expect(first).toBeLessThan(costToGenerate);

    const refused = await runCli(
      renderArgs(file, ws.out, '--all-variants', '--shard', '2/3', '--max-cost', String(second - 0.01)),
      { env },
    );
    expect(refused.exitCode).toBe(3);
    expect(refused.stderr).toContain(`is $${second.toFixed(2)}, above --max-cost`);
    expect(server.submissions()).toBe(0);

    const run = await runCli(
      renderArgs(file, ws.out, '--all-variants', '--shard', '1/3', '--max-cost', String(first)),
      { env },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(server.submissions()).toBe((await storedKeys(ws.out)).length);
  });

  it.each(['0/3', '4/3', '1/0', 'a/b'])(
    'refuses --shard %s with the fix, exit 2, nothing sent',
    async (value) => {
      const server = await mockServer();
      const ws = await workspace();
      const file = await writeStoryboard(ws.dir, scenes(1));
      const run = await runCli(renderArgs(file, ws.out, '--shard', value), { env: mockEnv(server) });
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain(`--shard`);
      expect(run.stderr).toContain('e.g. --shard 1/3');
      expect(server.requests).toHaveLength(0);
      await expect(access(ws.out)).rejects.toThrow();
    },
  );
});
