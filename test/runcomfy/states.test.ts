/** The RunComfy client against the mock server over real HTTP: every state a job can be in. */
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/errors.js';
import { apiRequests, clientFor, pollUntil, rejectionOf, request, startMock, TOKEN } from './support.js';

describe('reading a job through the RunComfy client', () => {
  it('reports queued jobs with their position, then generating, then completed', async () => {
    const server = await startMock({ slots: 0, generationMs: 60_000 });
    const { provider } = clientFor(server);
    const ids = [];
    for (let index = 0; index < 3; index++) ids.push((await provider.submit(request())).requestId);

    expect(await provider.status(ids[0]!)).toEqual({ state: 'in_queue', queuePosition: 0 });
    expect(await provider.status(ids[2]!)).toEqual({ state: 'in_queue', queuePosition: 2 });

    server.setTiming({ slots: 1 });
    expect(await provider.status(ids[0]!)).toEqual({ state: 'in_progress' });
    expect(await provider.status(ids[2]!)).toEqual({ state: 'in_queue', queuePosition: 1 });
    // A result asked too early is the current state: keep polling.
    expect(await provider.result(ids[0]!)).toEqual({ state: 'in_progress' });

    server.setTiming({ generationMs: 0, slots: 3 });
    const done = await pollUntil(provider, ids[2]!, (state) => state.state === 'completed');
    expect(done).toEqual({ state: 'completed' });
  });

  it('gives the video link and the actual cost of a completed job (output.video)', async () => {
    const server = await startMock();
    const { provider } = clientFor(server);
    const { requestId } = await provider.submit(request({ duration: 3, sound: true }));
    await pollUntil(provider, requestId, (state) => state.state === 'completed');

    const result = await provider.result(requestId);
    expect(result.state).toBe('completed');
    if (result.state !== 'completed') return;
    expect(result.videoUrl.startsWith(server.mediaUrl)).toBe(true);
    expect(result.costUsd).toBeCloseTo(3 * 0.126, 6);
    expect(apiRequests(server, 'result').at(-1)?.path).toContain('include_cost=true');
  });

  it('accepts the link as output.videos[0]', async () => {
    const server = await startMock({ outputKey: 'videos' });
    const { provider } = clientFor(server);
    const { requestId } = await provider.submit(request());
    await pollUntil(provider, requestId, (state) => state.state === 'completed');

    const result = await provider.result(requestId);
    expect(result.state === 'completed' && result.videoUrl.startsWith(server.mediaUrl)).toBe(true);
  });

  it('reports a failed generation with the provider reason, from status and from result', async () => {
    const server = await startMock({ faults: ['generation:fail:message=flagged by the content policy'] });
    const { provider } = clientFor(server);
    const { requestId } = await provider.submit(request());

    const state = await pollUntil(provider, requestId, (current) => current.state === 'failed');
    expect(state).toMatchObject({ state: 'failed', reason: 'flagged by the content policy' });
    expect(await provider.result(requestId)).toMatchObject({
      state: 'failed',
      reason: 'flagged by the content policy',
    });
  });

  it('reports a job cancelled by the provider', async () => {
    const server = await startMock({ faults: ['generation:cancel'] });
    const { provider } = clientFor(server);
    const { requestId } = await provider.submit(request());

    expect(
      await pollUntil(
        provider,
        requestId,
        (state) => state.state !== 'in_queue' && state.state !== 'in_progress',
      ),
    ).toEqual({
      state: 'cancelled',
    });
  });

  it('cancels a queued job, and says a running one cannot be cancelled', async () => {
    const server = await startMock({ slots: 1, generationMs: 60_000 });
    const { provider } = clientFor(server);
    const running = (await provider.submit(request())).requestId;
    const queued = (await provider.submit(request())).requestId;
    await pollUntil(provider, running, (state) => state.state === 'in_progress');

    expect(await provider.cancel(queued)).toBe('cancelled');
    expect(await provider.status(queued)).toEqual({ state: 'cancelled' });
    expect(await provider.cancel(running)).toBe('not_cancellable');
    expect(await provider.status(running)).toEqual({ state: 'in_progress' });
  });

  it('reports an unknown request id as not_found, naming it', async () => {
    const server = await startMock();
    const { provider } = clientFor(server);

    for (const call of [
      provider.status('no-such-request'),
      provider.result('no-such-request'),
      provider.cancel('no-such-request'),
    ]) {
      const error = await rejectionOf(call);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).kind).toBe('not_found');
      expect(error.message).toContain('no-such-request');
    }
    // Not retried: a 404 does not get better.
    expect(apiRequests(server, 'status')).toHaveLength(1);
  });

  it('sends the token to the API on every call, and it never shows up in the server log', async () => {
    const server = await startMock();
    const { provider } = clientFor(server);
    const { requestId } = await provider.submit(request());
    await provider.status(requestId);

    expect(server.requests.every((entry) => entry.authorization === 'valid')).toBe(true);
    expect(JSON.stringify(server.requests)).not.toContain(TOKEN);
  });
});
