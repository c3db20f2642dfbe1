/** How the RunComfy client reacts to each fault of status/result/cancel calls (all safe to retry). */
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/errors.js';
import type { MockServer } from '../../src/providers/mock-server/server.js';
import { waitFor } from '../helpers/wait.js';
import { apiRequests, clientFor, pollUntil, rejectionOf, request, startMock, TOKEN } from './support.js';

async function submitted(
  server: MockServer,
): Promise<{ requestId: string; client: ReturnType<typeof clientFor> }> {
  const client = clientFor(server);
  const { requestId } = await client.provider.submit(request());
  await pollUntil(client.provider, requestId, (state) => state.state === 'completed');
  return { requestId, client };
}

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(ProviderError);
  expect(error.message).not.toContain(TOKEN);
  return error as ProviderError;
}

describe('faults on calls that are safe to retry', () => {
  for (const fault of ['429', '500', '502', '503', 'reset']) {
    it(`retries a status call through ${fault} and then succeeds`, async () => {
      const server = await startMock();
      const { requestId, client } = await submitted(server);
      const before = apiRequests(server, 'status').length;
      server.addFault(`status:${fault}:next=2`);

      expect(await client.provider.status(requestId)).toEqual({ state: 'completed' });
      const calls = apiRequests(server, 'status').slice(before);
      expect(calls.map((call) => call.fault ?? 'ok')).toEqual([`status:${fault}`, `status:${fault}`, 'ok']);
      expect(client.lines.some((line) => line.includes('retry 2'))).toBe(true);
    });
  }

  it('times out a call that hangs and retries it', async () => {
    const server = await startMock();
    const { requestId } = await submitted(server);
    const client = clientFor(server, { timeoutMs: 300 });
    server.addFault('result:hang:next=1');

    const result = await client.provider.result(requestId);
    expect(result.state).toBe('completed');
    expect(apiRequests(server, 'result').map((call) => call.outcome)).toContain('hang');
  });

  it('waits at least as long as Retry-After (seconds) says before asking again', async () => {
    const server = await startMock();
    const { requestId, client } = await submitted(server);
    const before = apiRequests(server, 'status').length;
    server.addFault('status:429:retry-after=1:next=1');

    await client.provider.status(requestId);
    const [refused, retried] = apiRequests(server, 'status').slice(before);
    expect(refused?.outcome).toBe(429);
    expect(retried!.at - refused!.at).toBeGreaterThanOrEqual(1000);
  });

  it('waits until the moment of a Retry-After given as an HTTP date', async () => {
    const server = await startMock();
    const { requestId, client } = await submitted(server);
    const before = apiRequests(server, 'result').length;
    server.addFault('result:503:retry-after-date=1:next=1');

    await client.provider.result(requestId);
    const [refused, retried] = apiRequests(server, 'result').slice(before);
    expect(refused?.outcome).toBe(503);
    expect(retried!.at - refused!.at).toBeGreaterThanOrEqual(1000);
  });

  it('gives up at once when Retry-After asks for longer than it is willing to wait', async () => {
    const server = await startMock();
    const { requestId, client } = await submitted(server);
    const before = apiRequests(server, 'status').length;
    server.addFault('status:503:retry-after=600');

    const error = await providerError(client.provider.status(requestId));
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('asked to wait 600000 ms');
    expect(apiRequests(server, 'status').length - before).toBe(1);
  });

  it('stops after the configured number of attempts and reports the outage as transient', async () => {
    const server = await startMock();
    const { requestId, client } = await submitted(server);
    const before = apiRequests(server, 'status').length;
    server.addFault('status:502');

    const error = await providerError(client.provider.status(requestId));
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('Gave up after 4 attempts');
    expect(apiRequests(server, 'status').length - before).toBe(4);
  });

  it('reports malformed JSON as a protocol error, without retrying', async () => {
    const server = await startMock();
    const { requestId, client } = await submitted(server);
    const before = apiRequests(server, 'result').length;
    server.addFault('result:malformed:next=1');

    const error = await providerError(client.provider.result(requestId));
    expect(error.kind).toBe('protocol');
    expect(error.message).toContain('not JSON');
    expect(apiRequests(server, 'result').length - before).toBe(1);
  });

  it('reports an answer of an unexpected shape as a protocol error', async () => {
    const server = await startMock();
    const { requestId, client } = await submitted(server);
    server.addFault('status:unexpected:next=1');
    server.addFault('cancel:unexpected:next=1');

    expect((await providerError(client.provider.status(requestId))).kind).toBe('protocol');
    expect((await providerError(client.provider.cancel(requestId))).kind).toBe('protocol');
  });

  it('reports a 404 with error_code 404001 as not_found', async () => {
    const server = await startMock();
    const { requestId, client } = await submitted(server);
    server.addFault('result:not-found:next=1');

    const error = await providerError(client.provider.result(requestId));
    expect(error.kind).toBe('not_found');
    expect(error.details.code).toBe(404001);
  });

  it('reads a 404 without RunComfy error code (a path with no route) as a wrong base URL that stops the batch', async () => {
    const server = await startMock();
    const { requestId } = await submitted(server);
    const wrong = clientFor({ url: `${server.url}/runcomfy` });

    for (const call of [wrong.provider.status(requestId), wrong.provider.result(requestId)]) {
      const error = await providerError(call);
      expect(error.kind).toBe('endpoint');
      expect(error.fatalForBatch).toBe(true);
      expect(error.message).toContain(`${server.url}/runcomfy/v1/requests/${requestId}/`);
      expect(error.message).toContain('RUNCOMFY_BASE_URL');
    }
  });

  it('reads errors sent with HTTP 200: balance and auth stop the batch', async () => {
    const server = await startMock();
    const { requestId, client } = await submitted(server);
    server.addFault('status:error-200:code=400002:next=1');
    server.addFault('result:error-200:code=400004:message=token revoked:next=1');

    const balance = await providerError(client.provider.status(requestId));
    expect(balance.kind).toBe('balance');
    expect(balance.fatalForBatch).toBe(true);
    const auth = await providerError(client.provider.result(requestId));
    expect(auth.kind).toBe('auth');
    expect(auth.fatalForBatch).toBe(true);
    expect(auth.message).toContain('token revoked');
    expect(auth.message).toContain('RUNCOMFY_API_TOKEN');
  });

  it('never writes the token into a log line, even while retrying', async () => {
    const server = await startMock();
    const { requestId, client } = await submitted(server);
    server.addFault('status:503:next=2');
    await client.provider.status(requestId);

    expect(client.lines.length).toBeGreaterThan(0);
    expect(client.lines.join('\n')).not.toContain(TOKEN);
  });
});

describe("the caller's signal", () => {
  it('stops a call that hangs at once, with the abort reason, without retrying it', async () => {
    const server = await startMock();
    const { requestId, client } = await submitted(server);
    const before = apiRequests(server, 'status').length;
    server.addFault('status:hang');
    const controller = new AbortController();

    const call = client.provider.status(requestId, { signal: controller.signal });
    // Abort once the server holds the call, not after a fixed delay: under load a call can still be
    // on its way after 50 ms, and an abort before it arrives proves nothing about a hanging call.
    await waitFor(() => apiRequests(server, 'status').length > before);
    controller.abort(new Error('user pressed Ctrl-C'));
    const error = await rejectionOf(call);
    expect(error.message).toBe('user pressed Ctrl-C');
    expect(
      apiRequests(server, 'status')
        .slice(before)
        .map((entry) => entry.outcome),
    ).toEqual(['hang']);
    expect(client.lines.filter((line) => line.includes('retry'))).toEqual([]);
  });

  it('stops waiting between retries when aborted', async () => {
    const server = await startMock();
    const { requestId } = await submitted(server);
    const client = clientFor(server, { retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    server.addFault('status:503:retry-after=3');
    const controller = new AbortController();

    const call = client.provider.status(requestId, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 100);
    expect((await rejectionOf(call)).message).toBe('stop');
  });
});
