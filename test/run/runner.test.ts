import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/errors.js';
import { waitFor } from '../helpers/wait.js';
import { plan } from './fakes.js';
import { type Harness, harness, recordFor } from './harness.js';

let h: Harness;
afterEach(() => h?.cleanup());

describe('the runner', () => {
  it('journals every transition of a job in order, and makes the film', async () => {
    h = await harness();
    const result = await h.render([plan({ street: 'a street', closeup: 'a face' })]);
    expect(result.exitCode).toBe(0);
    const record = recordFor(h, 'a street');
    expect(record.transitions.map((t: { state: string }) => t.state)).toEqual([
      'submitting',
      'queued',
      'generating',
      'downloading',
      'verified',
    ]);
    expect(record.submissions).toEqual([
      expect.objectContaining({ requestId: record.requestId, outcome: 'accepted' }),
    ]);
    expect(result.reports[0]!.report.status).toBe('complete');
    expect(result.reports[0]!.report.film).toMatchObject({ path: 'film.mp4' });
  });

  it('writes the intent before the POST and the request id before any status call', async () => {
    h = await harness();
    await h.render([plan({ street: 'a street' })]);
    const submit = h.log.indexOf('submit a street');
    const intent = h.log.indexOf('write submitting');
    const idWritten = h.log.indexOf('write queued req-1');
    const firstPoll = h.log.findIndex((line) => /^(status|result) req-1$/.test(line));
    expect(intent).toBeGreaterThanOrEqual(0);
    expect(intent).toBeLessThan(submit);
    expect(submit).toBeLessThan(idWritten);
    expect(idWritten).toBeLessThan(firstPoll);
  });

  it('a rerun submits nothing and sends no request at all', async () => {
    h = await harness();
    const plans = [plan({ street: 'a street', closeup: 'a face' })];
    await h.render(plans);
    const calls = h.log.length;
    const rerun = await h.render(plans);
    expect(rerun.exitCode).toBe(0);
    expect(h.provider.submissions).toHaveLength(2);
    expect(h.log.slice(calls).filter((line) => !line.startsWith('write'))).toEqual([]);
    expect(rerun.summary.event.jobs).toMatchObject({ reused: 2, generated: 0 });
  });

  it('an edited scene is the only one submitted again', async () => {
    h = await harness();
    await h.render([plan({ street: 'a street', closeup: 'a face' })]);
    await h.render([plan({ street: 'a street', closeup: 'a laughing face' })]);
    expect(h.provider.submissions.map((s) => s.payload.prompt)).toEqual(
      expect.arrayContaining(['a street', 'a face', 'a laughing face']),
    );
    expect(h.provider.submissions).toHaveLength(3);
  });

  it('identical jobs across variants and storyboards are submitted once and used by every film', async () => {
    h = await harness();
    const result = await h.render([
      plan({ street: 'a street', closeup: 'a face' }, 'default'),
      plan({ street: 'a street', closeup: 'a face at night' }, 'night'),
      plan({ intro: 'a street' }, 'default', 'other'),
    ]);
    expect(result.exitCode).toBe(0);
    expect(h.provider.submissions.map((s) => s.payload.prompt).sort()).toEqual([
      'a face',
      'a face at night',
      'a street',
    ]);
    expect(result.reports.map((r) => r.report.status)).toEqual(['complete', 'complete', 'complete']);
    const night = result.reports[1]!.report.scenes[0]!;
    expect(night).toMatchObject({ scene: 'street', reused: true, clip: 'clips/01-street.mp4' });
  });

  it('a failing scene does not stop the others; the film waits; a rerun submits only it', async () => {
    h = await harness({ 'a face': { fails: 'content policy' } });
    const plans = [plan({ street: 'a street', closeup: 'a face', wide: 'a field' })];
    const first = await h.render(plans);
    expect(first.exitCode).toBe(1);
    expect(first.summary.event.jobs).toMatchObject({ generated: 2, failed: 1 });
    expect(first.reports[0]!.report.status).toBe('incomplete');
    expect(first.reports[0]!.report.scenes[1]).toMatchObject({
      status: 'failed',
      error: { kind: 'generation', message: expect.stringContaining('content policy') },
    });
    delete h.provider.scripts['a face'];
    const second = await h.render(plans);
    expect(second.exitCode).toBe(0);
    expect(h.provider.submissions.map((s) => s.payload.prompt)).toEqual(
      expect.arrayContaining(['a street', 'a field', 'a face', 'a face']),
    );
    expect(h.provider.submissions).toHaveLength(4);
  });

  it('an auth error stops new submissions at once and says how to fix it', async () => {
    const auth = new ProviderError('auth', 'the token was refused; set RUNCOMFY_API_TOKEN');
    h = await harness({ 'scene 2': { submitError: auth } });
    const scenes = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`s${i}`, `scene ${i}`]));
    const result = await h.render([plan(scenes)], { concurrency: 1 });
    expect(result.exitCode).toBe(1);
    expect(h.provider.submissions.map((s) => s.payload.prompt)).toEqual(['scene 0', 'scene 1', 'scene 2']);
    expect(result.summary.event.outcome).toBe('stopped');
    expect(result.summary.event.jobs.notStarted).toBe(5);
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'warning', code: 'batch_stopped' }));
  });

  it('sends the first submit alone, and the others only once its request id is on disk', async () => {
    h = await harness();
    // The first request id takes a while to reach the disk (a slow fsync).
    const write = h.storage.write.bind(h.storage);
    let slowed = false;
    h.storage.write = async (id, text) => {
      const slow = !slowed && JSON.parse(text).requestId === 'req-1';
      slowed ||= slow;
      if (slow) await new Promise((resolve) => setTimeout(resolve, 100));
      await write(id, text);
      if (slow) h.log.push('req-1 on disk');
    };
    const scenes = Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`s${i}`, `scene ${i}`]));
    await h.render([plan(scenes)], { concurrency: 4 });
    const submits = h.log.flatMap((line, index) => (line.startsWith('submit ') ? [index] : []));
    expect(submits).toHaveLength(4);
    // A disk that fails the first id must not find other paid jobs already in flight, their ids
    // in memory only: the others wait for that write, slow as it is (~20 ms of a render's first wave).
    expect(h.log.indexOf('req-1 on disk')).toBeGreaterThan(0);
    expect(h.log.indexOf('req-1 on disk')).toBeLessThan(submits[1]!);
  });

  it('keeps at most `concurrency` jobs generating remotely', async () => {
    h = await harness();
    const scenes = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`s${i}`, `scene ${i}`]));
    await h.render([plan(scenes)], { concurrency: 3 });
    expect(h.provider.submissions).toHaveLength(10);
    expect(h.provider.maxActive).toBe(3);
  });

  it('submits the next job while a completed one downloads, never more than `concurrency` generating', async () => {
    h = await harness();
    let openGate = () => {};
    h.provider.downloadGate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    const scenes = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`s${i}`, `scene ${i}`]));
    const rendering = h.render([plan(scenes)], { concurrency: 2 });
    // The first two completed and are stuck downloading: their generation slots went to two more,
    // which completed too and wait for a download slot. Then nothing more is submitted.
    const waiting = [0, 1, 2, 3].map((index) => `scene ${index}`);
    await waitFor(
      () =>
        h.provider.downloading === 2 &&
        waiting.every((prompt) => recordFor(h, prompt)?.state === 'downloading'),
      10_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.provider.submissions).toHaveLength(4);
    expect(h.provider.submittedDuringDownload).toBe(2);
    // Nothing paid is lost while downloads wait: every submitted job's request id is on disk.
    for (const prompt of waiting) expect(recordFor(h, prompt).requestId).toMatch(/^req-/);
    openGate();
    const result = await rendering;
    expect(result.exitCode).toBe(0);
    expect(h.provider.submissions).toHaveLength(6);
    expect(h.provider.maxActive).toBe(2);
    expect(h.provider.maxDownloading).toBeLessThanOrEqual(2);
  });

  it('a job past its deadline is timed out with its request id kept, and a rerun asks for it again', async () => {
    h = await harness({ 'a slow one': { hangs: true } });
    const plans = [plan({ street: 'a street', slow: 'a slow one' })];
    const first = await h.render(plans, { timeoutMs: 50 });
    expect(first.exitCode).toBe(1);
    const record = recordFor(h, 'a slow one');
    expect(record).toMatchObject({ state: 'timed_out', requestId: 'req-2', error: { kind: 'timeout' } });
    expect(first.reports[0]!.report.scenes[1]).toMatchObject({ status: 'timed_out', requestId: 'req-2' });
    h.provider.scripts['a slow one'] = {};
    h.provider.jobs.get('req-2')!.script = {};
    const second = await h.render(plans);
    expect(second.exitCode).toBe(0);
    expect(h.provider.submissions).toHaveLength(2);
  });

  it('a record left in `submitting` with no request id is reported as may-have-been-submitted and submitted again', async () => {
    h = await harness();
    const plans = [plan({ street: 'a street', closeup: 'a face' })];
    await h.render(plans);
    // Rewrite one record as a crash between the intent and the answer would have left it.
    const [id, text] = [...h.storage.records].find(([, t]) => t.includes('"a face"'))!;
    const record = JSON.parse(text);
    record.state = 'submitting';
    delete record.requestId;
    record.submissions = [{ requestId: null, at: record.submissions[0].at, outcome: 'pending', runId: 'x' }];
    h.storage.records.set(id, JSON.stringify(record));
    await import('node:fs/promises').then((fs) => fs.rm(h.layout.storedClip(id)));

    const rerun = await h.render(plans);
    expect(rerun.exitCode).toBe(0);
    const warning = h.events.find((e) => e.type === 'warning' && e.code === 'may_have_been_submitted');
    expect(warning).toMatchObject({ scenes: ['closeup'], message: expect.stringContaining('closeup') });
    expect(h.provider.submissions.map((s) => s.payload.prompt)).toEqual(['a street', 'a face', 'a face']);
    expect(recordFor(h, 'a face').submissions.map((s: { outcome: string }) => s.outcome)).toEqual([
      'pending',
      'accepted',
    ]);
  });

  it('an ambiguous submit is journaled as may-have-been-submitted, not as "not submitted"', async () => {
    h = await harness({
      'a face': { submitError: new ProviderError('ambiguous', 'connection reset after sending') },
    });
    const result = await h.render([plan({ closeup: 'a face' })]);
    expect(result.exitCode).toBe(1);
    expect(recordFor(h, 'a face')).toMatchObject({
      state: 'submitting',
      submissions: [{ requestId: null, outcome: 'ambiguous' }],
      error: { kind: 'ambiguous' },
    });
  });

  it('a request id the provider no longer knows is reported and submitted again', async () => {
    h = await harness({ 'a face': { hangs: true } });
    const plans = [plan({ closeup: 'a face' })];
    await h.render(plans, { timeoutMs: 30 });
    h.provider.forgetRequests();
    h.provider.scripts['a face'] = {};
    const rerun = await h.render(plans);
    expect(rerun.exitCode).toBe(0);
    expect(h.provider.submissions).toHaveLength(2);
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'warning', code: 'request_not_found' }));
    expect(recordFor(h, 'a face').submissions.map((s: { outcome: string }) => s.outcome)).toEqual([
      'not_found',
      'accepted',
    ]);
  });

  it('Ctrl-C stops new submissions and keeps the request ids of jobs still running', async () => {
    h = await harness({ 'scene 0': { hangs: true }, 'scene 1': { hangs: true } });
    const scenes = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`s${i}`, `scene ${i}`]));
    const controller = new AbortController();
    const rendering = h.render([plan(scenes)], { concurrency: 2, signal: controller.signal });
    while (h.provider.submissions.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    const result = await rendering;
    expect(result.exitCode).toBe(130);
    expect(h.provider.submissions).toHaveLength(2);
    expect(result.summary.event.jobs).toMatchObject({ inFlight: 2, notStarted: 3 });
    expect(recordFor(h, 'scene 0')).toMatchObject({ state: 'queued', requestId: 'req-1' });
  });

  it('--rerender submits that scene again even though its clip is done', async () => {
    h = await harness();
    const plans = [plan({ street: 'a street', closeup: 'a face' })];
    await h.render(plans);
    await h.render(plans, { rerender: ['closeup'] });
    expect(h.provider.submissions.map((s) => s.payload.prompt)).toEqual(['a street', 'a face', 'a face']);
  });
});

describe('an unexpected error', () => {
  it('stops the other jobs before it surfaces, so nothing runs on after the render ends', async () => {
    h = await harness({ 'scene 1': { hangs: true }, 'scene 2': { hangs: true } });
    const failingWrite = h.storage.write.bind(h.storage);
    h.storage.write = async (id, text) => {
      if (text.includes('"scene 0"') && text.includes('"queued"'))
        throw new Error('ENOSPC: no space left on device');
      return failingWrite(id, text);
    };
    const scenes = Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`s${i}`, `scene ${i}`]));
    // The hanging jobs would poll until their (long) deadline if the error did not stop them.
    await expect(h.render([plan(scenes)], { concurrency: 3, timeoutMs: 600_000 })).rejects.toThrow('ENOSPC');
    const calls = h.log.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.log.length).toBe(calls);
  });
});
