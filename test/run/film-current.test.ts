/** Whether film.mp4 is still the film a report describes: trusted unwritten, hashed once written to. */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { currentFilm, type FilmIngredients, filmFingerprint } from '../../src/run/film-current.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'storyreel-film-current-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const ingredients: FilmIngredients = { provider: 'runcomfy', clips: ['a'.repeat(64), 'b'.repeat(64)] };

/** film.mp4 with `text`, and a report written a second after it that describes it. */
async function joined(text: string): Promise<{ film: string; report: string; reportedAt: Date }> {
  const film = path.join(dir, 'film.mp4');
  const report = path.join(dir, 'report.json');
  await writeFile(film, text);
  const reportedAt = new Date(Date.now() + 1000);
  const sha256 = createHash('sha256').update(text).digest('hex');
  const filmEntry = {
    path: 'film.mp4',
    duration: 6,
    bytes: text.length,
    sha256,
    fingerprint: filmFingerprint(ingredients),
  };
  await writeFile(
    report,
    JSON.stringify({ status: 'complete', finishedAt: reportedAt.toISOString(), film: filmEntry }),
  );
  await utimes(film, new Date(reportedAt.getTime() - 1000), new Date(reportedAt.getTime() - 1000));
  return { film, report, reportedAt };
}

describe('the current film', () => {
  it('is the one on disk while nobody wrote to it after its report', async () => {
    const { film, report } = await joined('the joined film');
    expect(await currentFilm(report, film, ingredients)).toMatchObject({ path: 'film.mp4' });
    expect(await currentFilm(report, film, { ...ingredients, clips: ['c'.repeat(64)] })).toBeUndefined();
  });

  it('is not a file of the same size written over it after the report', async () => {
    const { film, report, reportedAt } = await joined('the joined film');
    await writeFile(film, 'another film!!!');
    const later = new Date(reportedAt.getTime() + 5000);
    await utimes(film, later, later);
    expect(await currentFilm(report, film, ingredients)).toBeUndefined();
  });

  it('is still the film when the same bytes were written again after the report (checked by its hash)', async () => {
    const { film, report, reportedAt } = await joined('the joined film');
    await writeFile(film, 'the joined film');
    const later = new Date(reportedAt.getTime() + 5000);
    await utimes(film, later, later);
    expect(await currentFilm(report, film, ingredients)).toMatchObject({ path: 'film.mp4' });
  });
});
