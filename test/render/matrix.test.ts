/**
 * The CI matrix recipe on one machine, three shard folders standing in for three machines: shards
 * generate, each variant's finishing job merges every shard and renders --no-submit. The campaign
 * pays each distinct job once, and each film has exactly the packets of a one-machine render.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MockServer } from '../../src/providers/mock-server/server.js';
import { runCli } from '../helpers/cli.js';
import { filmFingerprint } from '../reliability/support/checks.js';
import {
  mockEnv,
  mockServer,
  renderArgs,
  scenes,
  type Workspace,
  workspace,
  writeStoryboard,
} from './support.js';

const servers: MockServer[] = [];
let ws: Workspace | undefined;
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await ws?.cleanup();
  ws = undefined;
});

describe('a campaign sharded across three machines', () => {
  it('pays every distinct job once and gives each variant the film one machine would', async () => {
    ws = await workspace();
    const variants =
      '  vertical: { defaults: { aspect_ratio: "9:16" } }\n  teaser: { only: [scene1, scene3] }';
    const file = await writeStoryboard(ws.dir, scenes(3), { variants });
    const single = await mockServer({ slots: 6 });
    const matrix = await mockServer({ slots: 6 });
    servers.push(single, matrix);

    const alone = path.join(ws.dir, 'one-machine');
    const reference = await runCli(renderArgs(file, alone, '--all-variants'), { env: mockEnv(single) });
    expect(reference.exitCode).toBe(0);
    const distinct = single.submissions();

    const shards = [1, 2, 3].map((k) => path.join(ws!.dir, `shard-${k}`));
    for (const [index, out] of shards.entries()) {
      const run = await runCli(renderArgs(file, out, '--all-variants', '--shard', `${index + 1}/3`), {
        env: mockEnv(matrix),
      });
      expect(run.exitCode).toBe(0);
    }
    expect(matrix.submissions()).toBe(distinct);

    for (const variant of ['default', 'vertical', 'teaser']) {
      const finish = path.join(ws.dir, `finish-${variant}`);
      expect((await runCli(['merge', ...shards, '--out', finish])).exitCode).toBe(0);
      const run = await runCli(renderArgs(file, finish, '--variant', variant, '--no-submit'), {
        env: mockEnv(matrix),
      });
      expect(run.exitCode).toBe(0);
      const film = (out: string) => path.join(out, 'film', variant, 'film.mp4');
      expect(await filmFingerprint(film(finish))).toEqual(await filmFingerprint(film(alone)));
    }
    expect(matrix.submissions()).toBe(distinct);
  });
});
