/** The API assumptions, as pure functions: raw JSON in, typed states or classified errors out. */
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/errors.js';
import {
  apiPaths,
  errorInBody,
  httpError,
  parseCancelled,
  parseResult,
  parseState,
  parseSubmitted,
  providerMessage,
} from '../../src/providers/runcomfy/contract.js';
import { backoffDelay, DEFAULT_RETRY, parseRetryAfter } from '../../src/providers/runcomfy/retry.js';

function thrown(action: () => unknown): ProviderError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }
  throw new Error('expected a ProviderError');
}

describe('reading RunComfy states', () => {
  it('reads the documented states, in any case', () => {
    expect(parseState({ status: 'in_queue', queue_position: 3 })).toEqual({
      state: 'in_queue',
      queuePosition: 3,
    });
    expect(parseState({ status: 'IN_QUEUE' })).toEqual({ state: 'in_queue' });
    expect(parseState({ status: 'in_progress' })).toEqual({ state: 'in_progress' });
    expect(parseState({ status: 'completed' })).toEqual({ state: 'completed' });
    expect(parseState({ status: 'succeeded' })).toEqual({ state: 'completed' });
    expect(parseState({ status: 'cancelled' })).toEqual({ state: 'cancelled' });
    expect(parseState({ status: 'canceled' })).toEqual({ state: 'cancelled' });
  });

  it('treats failed or error, and any status with an error field, as a failure with the reason', () => {
    expect(parseState({ status: 'failed', error: 'NSFW content' })).toMatchObject({
      state: 'failed',
      reason: 'NSFW content',
    });
    expect(parseState({ status: 'Error', message: 'GPU fell over' })).toMatchObject({
      reason: 'GPU fell over',
    });
    expect(parseState({ status: 'in_progress', error: { message: 'worker died' } })).toMatchObject({
      state: 'failed',
      reason: 'worker died',
    });
    expect(parseState({ status: 'failed' })).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining('without a reason'),
    });
    // An empty error field is no error.
    expect(parseState({ status: 'in_progress', error: null })).toEqual({ state: 'in_progress' });
  });

  it('keeps polling on a status it does not know, keeping the raw body', () => {
    const body = { status: 'warming_up', eta: 30 };
    expect(parseState(body)).toEqual({ state: 'in_progress', raw: body });
  });

  it('rejects a body without a status as a protocol error', () => {
    expect(thrown(() => parseState({ state: 'done' })).kind).toBe('protocol');
    expect(thrown(() => parseState([1, 2])).kind).toBe('protocol');
  });

  it('finds the video as output.video or output.videos[0], and the cost', () => {
    const result = parseResult({ status: 'completed', output: { video: 'https://cdn/x.mp4' }, cost: 0.63 });
    expect(result).toMatchObject({ state: 'completed', videoUrl: 'https://cdn/x.mp4', costUsd: 0.63 });
    expect(
      parseResult({ status: 'completed', output: { videos: ['https://cdn/y.mp4'] }, cost: '0.5' }),
    ).toMatchObject({
      videoUrl: 'https://cdn/y.mp4',
      costUsd: 0.5,
    });
    expect(parseResult({ status: 'completed', output: { video: 'https://cdn/z.mp4' } })).not.toHaveProperty(
      'costUsd',
    );
    expect(
      thrown(() => parseResult({ status: 'completed', output: { image: 'https://cdn/i.png' } })).kind,
    ).toBe('protocol');
  });

  it('reads a request id from a submit and the outcome of a cancel', () => {
    expect(parseSubmitted({ request_id: 'abc', status_url: 'x' })).toEqual({ requestId: 'abc' });
    expect(thrown(() => parseSubmitted({ id: 'abc' })).kind).toBe('protocol');
    expect(parseCancelled({ outcome: 'not_cancellable', status: 'in_progress' })).toBe('not_cancellable');
    expect(parseCancelled({ status: 'cancelled' })).toBe('cancelled');
  });

  it('builds the documented paths, the model id keeping its slashes', () => {
    expect(apiPaths.submit('kling/kling-3.0/standard/text-to-video')).toBe(
      '/v1/models/kling/kling-3.0/standard/text-to-video',
    );
    expect(apiPaths.result('a b')).toBe('/v1/requests/a%20b/result?include_cost=true');
    expect(apiPaths.cancel('r1')).toBe('/v1/requests/r1/cancel');
  });
});

describe('classifying RunComfy errors', () => {
  it('maps HTTP statuses to what they mean for a batch', () => {
    expect(httpError('status', 401, {}).kind).toBe('auth');
    expect(httpError('submit', 403, 'Forbidden').kind).toBe('auth');
    expect(httpError('submit', 402, {}).kind).toBe('balance');
    expect(httpError('submit', 400, {}).kind).toBe('rejected');
    expect(httpError('submit', 422, {}).kind).toBe('rejected');
    expect(httpError('result', 404, {}).kind).toBe('not_found');
    expect(httpError('result', 422, { error: 'generation failed' }).kind).toBe('generation');
    expect(httpError('status', 429, {}).kind).toBe('transient');
    expect(httpError('status', 504, {}).kind).toBe('transient');
  });

  it('lets documented error codes decide, whatever the HTTP status', () => {
    expect(errorInBody('submit', { error_code: 400001, error_message: 'bad model' })?.kind).toBe('rejected');
    expect(errorInBody('submit', { error_code: '400002' })?.kind).toBe('balance');
    expect(errorInBody('status', { error_code: 400004 })?.kind).toBe('auth');
    expect(errorInBody('status', { error_code: 403001 })?.kind).toBe('auth');
    expect(errorInBody('status', { error_code: 404001 })?.kind).toBe('not_found');
    expect(httpError('submit', 400, { error_code: 400002 }).kind).toBe('balance');
    // Undocumented codes follow the pattern: the first three digits are an HTTP status.
    expect(errorInBody('status', { error_code: 503002 })?.kind).toBe('transient');
    expect(errorInBody('status', { request_id: 'x', status: 'completed' })).toBeUndefined();
  });

  it("quotes the provider's message whatever the field is called", () => {
    expect(providerMessage({ error_message: 'a' })).toBe('a');
    expect(providerMessage({ message: 'b' })).toBe('b');
    expect(providerMessage({ detail: [{ loc: ['body', 'duration'], msg: 'must be <= 15' }] })).toBe(
      'duration: must be <= 15',
    );
    expect(providerMessage({ error: { message: 'c' } })).toBe('c');
    expect(providerMessage('  plain text  ')).toBe('plain text');
    const rejected = httpError('submit', 422, { detail: 'prompt too long' });
    expect(rejected.message).toContain('prompt too long');
  });
});

describe('retry timing', () => {
  it('reads Retry-After as seconds or as an HTTP date, never shorter than asked', () => {
    const now = Date.parse('2026-01-01T00:00:00.300Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:03 GMT', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('backs off with full jitter under an exponential ceiling', () => {
    const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(policy, 1, () => 0.999)).toBeLessThanOrEqual(100);
    expect(backoffDelay(policy, 3, () => 1)).toBe(400);
    expect(backoffDelay(policy, 10, () => 1)).toBe(1000);
    expect(backoffDelay(policy, 10, () => 0)).toBe(0);
  });
});
