/**
 * CLI start-up: `storyreel --help` as a child process, against bare `node -e 0` (Node's own floor), and
 * a render's first submit (first-submit.ts).
 */
import { type CliRun, runCli, runNode } from '../lib/cli.js';
import type { PartResult, Row } from '../lib/report.js';
import { median, millis, noise } from '../lib/stats.js';
import { firstSubmitRows } from './first-submit.js';

export async function benchStartup(runs: number): Promise<PartResult> {
  // Interleaved, so that both see the same moments of a shared machine.
  const help: CliRun[] = [];
  const node: CliRun[] = [];
  for (let i = 0; i <= runs; i++) {
    const helpRun = checked(await runCli(['--help'], { measureUsage: true }));
    const nodeRun = checked(await runNode(['-e', '0'], { measureUsage: true }));
    if (i === 0) continue; // unmeasured: warms the page cache
    help.push(helpRun);
    node.push(nodeRun);
  }
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
    ...(await firstSubmitRows(runs)),
  ];
  return { rows };
}

function checked(run: CliRun): CliRun {
  if (run.exitCode !== 0) throw new Error(`exited ${run.exitCode}: ${run.stderr.slice(0, 500)}`);
  return run;
}
