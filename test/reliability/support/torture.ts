/**
 * Crash torture: SIGKILL the renderer at many points of one batch (as a submit arrives, while it
 * polls, mid-download, once every clip is verified, or after a random delay), rerun, and kill again;
 * then let a last run finish. After every kill the journal must parse; at the end each job may have
 * been paid for more than once only inside the reported "may have been submitted" window, and the
 * film must have exactly the packets of an undisturbed render.
 */
import { readdir } from 'node:fs/promises';
import { seededRandom } from '../../../src/providers/mock-server/faults.js';
import type { MockServer } from '../../../src/providers/mock-server/server.js';
import { runCli, spawnCli } from '../../helpers/cli.js';
import {
  auditPayments,
  cleanRunEvents,
  type FilmFingerprint,
  filmFingerprint,
  type PaymentAudit,
  readJournal,
} from './checks.js';
import { mockEnv, startMock } from './mock.js';
import type { FilmShape } from './scenario.js';
import { delay, waitFor } from './wait.js';
import { filmPath, renderArgs, workspace, writeFilm } from './workspace.js';

export const KILL_POINTS = ['submit', 'poll', 'download', 'verified', 'random'] as const;
export type KillPoint = (typeof KILL_POINTS)[number];

export interface TortureOptions extends FilmShape {
  kills: number;
  seed: number;
  concurrency: number;
  reference: FilmFingerprint;
}

export interface TortureResult {
  /** Kills that hit a running renderer. */
  kills: number;
  byPoint: Record<KillPoint, number>;
  /** Runs that ended by themselves before their kill point came (the batch was done, or nearly). */
  finishedBeforeKill: number;
  runs: number;
  /** Storyboards rendered to the end, each into the same output folder, each film checked. */
  rounds: number;
  /** Temporary files of atomic writes left in the journal folder by kills (never read as records). */
  journalLeftovers: number;
  /** Hidden partial files left anywhere in the output folder at the end. */
  partialFiles: number;
  audit: PaymentAudit;
  mayHaveBeenSubmittedWarnings: number;
}

/** Resolves when the kill point is reached; `from` is the request log length at spawn. */
async function killPointReached(
  point: KillPoint,
  server: MockServer,
  from: number,
  out: string,
  random: () => number,
): Promise<void> {
  const since = () => server.requests.slice(from);
  switch (point) {
    case 'submit': {
      const nth = 1 + Math.floor(random() * 3);
      return waitFor(() => since().filter((entry) => entry.endpoint === 'submit').length >= nth, 20_000);
    }
    case 'poll': {
      const nth = 1 + Math.floor(random() * 8);
      return waitFor(
        () => since().filter((e) => e.endpoint === 'status' || e.endpoint === 'result').length >= nth,
        20_000,
      );
    }
    case 'download':
      return waitFor(() => since().some((entry) => entry.listener === 'media'), 20_000);
    case 'verified':
      return waitFor(async () => {
        const { records } = await readJournal(out);
        return records.length > 0 && records.every((record) => record.state === 'verified');
      }, 20_000);
    case 'random':
      return delay(Math.floor(random() * 2500));
  }
}

/** Hidden `.partial`/`.part` files anywhere below `dir`. */
async function partialFiles(dir: string): Promise<string[]> {
  const names = (await readdir(dir, { recursive: true }).catch(() => [])) as string[];
  return names.filter((name) => /(^|\/)\.[^/]*\.part(ial)?(\.txt)?$/.test(name));
}

export async function crashTorture(options: TortureOptions): Promise<TortureResult> {
  const random = seededRandom(options.seed);
  const server = await startMock({ generationMs: 700, slots: 2 });
  const ws = await workspace('storyreel-torture-');
  const byPoint = Object.fromEntries(KILL_POINTS.map((point) => [point, 0])) as Record<KillPoint, number>;
  const result: TortureResult = {
    kills: 0,
    byPoint,
    finishedBeforeKill: 0,
    runs: 0,
    rounds: 0,
    journalLeftovers: 0,
    partialFiles: 0,
    audit: { distinctJobs: 0, created: 0, paid: 0, reportedExtra: 0, unreportedDuplicates: 0 },
    mayHaveBeenSubmittedWarnings: 0,
  };
  const countWarnings = (stdout: string) => {
    result.mayHaveBeenSubmittedWarnings += stdout.split('"code":"may_have_been_submitted"').length - 1;
  };
  try {
    const env = mockEnv(server);
    let round = 0;
    let args: string[] = [];
    const startRound = async () => {
      round += 1;
      const file = await writeFilm(ws.dir, {
        name: `round${round}`,
        scenes: options.scenes,
        multiShot: options.multiShot ?? [],
        prompt: `torture ${options.seed} round ${round}`,
      });
      args = renderArgs(file, ws.out, '--concurrency', String(options.concurrency));
    };
    /** A finished round's film must be the undisturbed one. */
    const checkRound = async () => {
      const film = await filmFingerprint(filmPath(ws.out, `round${round}`));
      if (film.streams !== options.reference.streams || film.packets !== options.reference.packets) {
        throw new Error(
          `round ${round}: after ${result.kills} kills the film differs from an undisturbed render`,
        );
      }
      result.rounds += 1;
    };
    await startRound();
    while (result.kills < options.kills && result.runs < options.kills * 3) {
      const point = KILL_POINTS[Math.floor(random() * KILL_POINTS.length)]!;
      const from = server.requests.length;
      const child = spawnCli(args, { env });
      let exited = false;
      const done = child.then((run) => {
        exited = true;
        return run;
      });
      await Promise.race([
        killPointReached(point, server, from, ws.out, random).catch(() => undefined),
        done,
      ]);
      if (!exited) {
        child.kill('SIGKILL');
        result.kills += 1;
        byPoint[point] += 1;
      }
      const run = await done;
      result.runs += 1;
      countWarnings(String(run.stdout));
      const journal = await readJournal(ws.out); // throws on a corrupt record
      result.journalLeftovers = Math.max(result.journalLeftovers, journal.leftovers.length);
      if (run.isTerminated) continue;
      // It ended before its kill point: cleanly, and when the round is done, the next one starts.
      const events = cleanRunEvents({
        exitCode: run.exitCode ?? -1,
        stdout: String(run.stdout),
        stderr: String(run.stderr),
      });
      result.finishedBeforeKill += 1;
      if (events.at(-1)?.type === 'summary' && run.exitCode === 0) {
        await checkRound();
        await startRound();
      }
    }
    // Let the last round finish: no more kills. A run may end with exit 1 only when a kill lost a
    // submission's answer and the resubmission failed; a second run must complete.
    let finalRun = await runCli(args, { env });
    result.runs += 1;
    countWarnings(finalRun.stdout);
    if (finalRun.exitCode !== 0) {
      cleanRunEvents(finalRun);
      finalRun = await runCli(args, { env });
      result.runs += 1;
    }
    cleanRunEvents(finalRun, [0]);
    await checkRound();
    result.audit = auditPayments(server, (await readJournal(ws.out)).records);
    result.partialFiles = (await partialFiles(ws.out)).length;
    return result;
  } finally {
    await server.close();
    await ws.cleanup();
  }
}
