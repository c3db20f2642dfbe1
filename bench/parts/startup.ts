/** CLI start-up: `storyreel --help` as a child process, against bare `node -e 0` (Node's own floor). */
import { type CliRun, runCli, runNode } from '../lib/cli.js';
import type { PartResult, Row } from '../lib/report.js';
import { median, millis, noise } from '../lib/stats.js';

export async function benchStartup(runs: number): Promise<PartResult> {
  const help = await measured(runs, () => runCli(['--help'], { measureUsage: true }));
  const node = await measured(runs, () => runNode(['-e', '0'], { measureUsage: true }));
  const helpWall = median(help.map((run) => run.wallMs));
  const nodeWall = median(node.map((run) => run.wallMs));
  const helpCpu = median(help.map((run) => run.cpuMs ?? Number.NaN));
  const nodeCpu = median(node.map((run) => run.cpuMs ?? Number.NaN));
  const rows: Row[] = [
    {
      part: 'startup',
      metric: '`storyreel --help`, median wall time',
      value: millis(helpWall),
      target: '< 500 ms',
      met: helpWall < 500,
      note: `${noise(help.map((run) => run.wallMs))}; CPU time ${millis(helpCpu)}`,
    },
    {
      part: 'startup',
      metric: '`node -e 0` (Node alone, for scale)',
      value: millis(nodeWall),
      note: `CPU time ${millis(nodeCpu)}; storyreel adds ${millis(helpWall - nodeWall)} wall, ${millis(helpCpu - nodeCpu)} CPU`,
    },
  ];
  return { rows };
}

/** `runs` measured runs after one unmeasured (warms the page cache and the compile cache). */
async function measured(runs: number, start: () => Promise<CliRun>): Promise<CliRun[]> {
  const results: CliRun[] = [];
  for (let i = 0; i <= runs; i++) {
    const run = await start();
    if (run.exitCode !== 0) throw new Error(`exited ${run.exitCode}: ${run.stderr.slice(0, 500)}`);
    if (i > 0) results.push(run);
  }
  return results;
}
