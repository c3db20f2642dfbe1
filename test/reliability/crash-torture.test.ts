/**
 * SIGKILL at many points of a batch, then resume: nothing is lost, nothing is paid twice outside the
 * reported window, the journal always parses, and the film has the packets of an undisturbed render.
 * RELIABILITY_KILLS sets the number of kills per batch (scripts/soak.ts runs many more batches).
 */
import { describe, expect, it } from 'vitest';
import { reportFigures } from './support/figures.js';
import { cliRenderer } from './support/renderers.js';
import { type FilmShape, referenceFilm } from './support/scenario.js';
import { crashTorture } from './support/torture.js';

const KILLS = Number(process.env.RELIABILITY_KILLS ?? 6);
const SHAPE: FilmShape = { scenes: 4, multiShot: [2] };

describe('crash torture', () => {
  it(
    `survives ${KILLS} SIGKILLs during one batch and ends with the same film`,
    async () => {
      const reference = await referenceFilm(cliRenderer, SHAPE);
      const result = await crashTorture({
        ...SHAPE,
        kills: KILLS,
        seed: Number(process.env.RELIABILITY_SEED ?? 7),
        concurrency: 2,
        reference,
      });
      reportFigures('crash torture (CLI)', {
        kills: result.kills,
        ...result.byPoint,
        finishedBeforeKill: result.finishedBeforeKill,
        runs: result.runs,
        rounds: result.rounds,
        jobsCreated: result.audit.created,
        reportedExtraPayments: result.audit.reportedExtra,
        unreportedDuplicates: result.audit.unreportedDuplicates,
        mayHaveBeenSubmittedWarnings: result.mayHaveBeenSubmittedWarnings,
        journalLeftovers: result.journalLeftovers,
        partialFiles: result.partialFiles,
      });
      expect(result.kills).toBe(KILLS);
      expect(result.audit.unreportedDuplicates).toBe(0);
    },
    60_000 + KILLS * 5_000,
  );
});
