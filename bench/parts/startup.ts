/** CLI start-up: `storyreel --help` as a child process, against bare `node -e 0` (Node's own floor). */
import { execa } from 'execa';
import { runCli } from '../lib/cli.js';
import type { PartResult, Row } from '../lib/report.js';
import { median, millis, noise, repeatMs } from '../lib/stats.js';

export async function benchStartup(runs: number): Promise<PartResult> {
  const help = await repeatMs(
    runs,
    async () => {
      const run = await runCli(['--help']);
      if (run.exitCode !== 0) throw new Error(`storyreel --help exited ${run.exitCode}: ${run.stderr}`);
    },
    1,
  );
  const node = await repeatMs(runs, () => execa('node', ['-e', '0']), 1);
  const rows: Row[] = [
    {
      part: 'startup',
      metric: '`storyreel --help`, median wall time',
      value: millis(median(help)),
      target: '< 500 ms',
      met: median(help) < 500,
      note: noise(help),
    },
    {
      part: 'startup',
      metric: '`node -e 0` (Node alone, for scale)',
      value: millis(median(node)),
      note: `${noise(node)}; storyreel adds ${millis(median(help) - median(node))}`,
    },
  ];
  return { rows };
}
