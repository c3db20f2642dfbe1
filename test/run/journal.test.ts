import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BudgetExceededError, JournalCorruptError, JournalWriteError } from '../../src/errors.js';
import { Journal } from '../../src/run/journal/journal.js';
import { FileJournalStorage } from '../../src/run/journal/storage.js';
import { outputLayout } from '../../src/run/layout.js';
import { payload, plan } from './fakes.js';
import { type Harness, harness } from './harness.js';

let h: Harness | undefined;
let dir: string | undefined;
afterEach(async () => {
  await h?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
  h = undefined;
  dir = undefined;
});

describe('the journal on disk', () => {
  it('writes a record atomically as readable JSON, and reads it back in a new process', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'storyreel-journal-'));
    const layout = outputLayout(dir);
    const journal = new Journal(new FileJournalStorage(layout));
    await journal.getOrCreate({
      id: 'k1',
      key: 'k1',
      provider: 'runcomfy',
      model: 'm',
      payload: payload('p'),
      estimatedCost: 1,
    });
    await journal.transition('k1', 'submitting');
    await journal.transition('k1', 'queued', 'request r1', (record) => {
      record.requestId = 'r1';
    });
    const onDisk = JSON.parse(await readFile(layout.jobRecord('k1'), 'utf8'));
    expect(onDisk).toMatchObject({ state: 'queued', requestId: 'r1' });
    const reread = await new Journal(new FileJournalStorage(layout)).get('k1');
    expect(reread?.transitions.map((t) => t.state)).toEqual(['submitting', 'queued']);
    expect(await new FileJournalStorage(layout).list()).toEqual(['k1']);
  });

  it('refuses a record it cannot read, naming the file, instead of taking it as "nothing done"', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'storyreel-journal-'));
    const layout = outputLayout(dir);
    const storage = new FileJournalStorage(layout);
    await storage.write('k1', '{"version": 1, "id": "k1", "state": "queu');
    const error = await new Journal(storage).get('k1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalCorruptError);
    expect((error as Error).message).toContain(layout.jobRecord('k1'));
    expect((error as Error).message).toContain('move the file away');
    await writeFile(layout.jobRecord('k1'), JSON.stringify({ version: 1, id: 'k1', state: 'launched' }));
    await expect(new Journal(storage).get('k1')).rejects.toThrow(JournalCorruptError);
  });

  it('a record it cannot write is a JournalWriteError naming the file, the system error kept as its cause', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'storyreel-journal-'));
    await writeFile(path.join(dir, 'a-file'), 'not a folder');
    const layout = outputLayout(path.join(dir, 'a-file'));
    const error = await new FileJournalStorage(layout).write('k1', '{}').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalWriteError);
    expect((error as Error).message).toContain(layout.jobRecord('k1'));
    expect(((error as Error).cause as NodeJS.ErrnoException)?.code).toBe('ENOTDIR');
  });

  it('an urgent write (the intent and the request id) lands whole, after any earlier write of the record', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'storyreel-journal-'));
    const layout = outputLayout(dir);
    const journal = new Journal(new FileJournalStorage(layout));
    await journal.getOrCreate({
      id: 'k1',
      key: 'k1',
      provider: 'runcomfy',
      model: 'm',
      payload: payload('p'),
      estimatedCost: 1,
    });
    // Not awaited: the urgent write that follows must not be overtaken by it (nor overtake it).
    const note = journal.transition('k1', 'submitting');
    const queued = journal.transition('k1', 'queued', 'request r1', (r) => (r.requestId = 'r1'), {
      urgent: true,
    });
    await Promise.all([note, queued]);
    const onDisk = JSON.parse(await readFile(layout.jobRecord('k1'), 'utf8'));
    expect(onDisk).toMatchObject({ state: 'queued', requestId: 'r1' });
    expect(await readdir(layout.jobsDir)).toEqual(['k1.json']);
  });

  it('an urgent write that fails is the same JournalWriteError, and leaves no partial file', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'storyreel-journal-'));
    await writeFile(path.join(dir, 'a-file'), 'not a folder');
    const layout = outputLayout(path.join(dir, 'a-file'));
    const storage = new FileJournalStorage(layout);
    const error = await storage.write('k1', '{}', { urgent: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalWriteError);
    expect((error as Error).message).toContain(layout.jobRecord('k1'));
    expect(((error as Error).cause as NodeJS.ErrnoException)?.code).toBe('ENOTDIR');

    // Failing at the last step (the rename, onto a folder) must take the temporary file away.
    const blocked = outputLayout(path.join(dir, 'out'));
    await mkdir(blocked.jobRecord('k2'), { recursive: true });
    const renameError = await new FileJournalStorage(blocked)
      .write('k2', '{}', { urgent: true })
      .catch((e: unknown) => e);
    expect(renameError).toBeInstanceOf(JournalWriteError);
    expect(await readdir(blocked.jobsDir)).toEqual(['k2.json']);
  });

  it('a render stops on a corrupt record before submitting anything', async () => {
    h = await harness();
    const plans = [plan({ street: 'a street', closeup: 'a face' })];
    await h.render(plans);
    const [id] = [...h.storage.records.keys()];
    h.storage.records.set(id!, 'not json');
    const before = h.provider.submissions.length;
    await expect(h.render([plan({ street: 'a street', closeup: 'a face, edited' })])).rejects.toThrow(
      JournalCorruptError,
    );
    expect(h.provider.submissions.length).toBe(before);
  });
});

describe('the budget guard', () => {
  it('refuses with the figures before anything is sent or written', async () => {
    h = await harness();
    const plans = [plan({ street: 'a street', closeup: 'a face', wide: 'a field' })];
    const error = await h.render(plans, { maxCostUsd: 0.5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect((error as Error).message).toContain('$0.75, above --max-cost $0.50');
    expect((error as Error).message).toContain('3 of 3 distinct jobs to generate');
    expect(h.provider.submissions).toHaveLength(0);
    expect(h.storage.writes).toHaveLength(0);
  });

  it('counts only what still has to be generated', async () => {
    h = await harness();
    await h.render([plan({ street: 'a street', closeup: 'a face' })]);
    const result = await h.render([plan({ street: 'a street', closeup: 'a face', wide: 'a field' })], {
      maxCostUsd: 0.3,
    });
    expect(result.exitCode).toBe(0);
    expect(h.provider.submissions).toHaveLength(3);
  });
});
