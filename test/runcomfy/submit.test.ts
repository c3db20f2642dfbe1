/**
 * Submitting costs money and has no idempotency key: the client retries a submit only when the
 * answer proves no job was created, and otherwise says the job may exist.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/errors.js';
import { createRunComfyProvider } from '../../src/providers/runcomfy/client.js';
import { clientFor, rejectionOf, request, startMock, TOKEN } from './support.js';

async function submitError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(ProviderError);
  expect(error.message).not.toContain(TOKEN);
  return error as ProviderError;
}

describe('submitting a paid job', () => {
  it('creates exactly one job and returns its request id', async () => {
    const server = await startMock();
    const { provider } = clientFor(server);

    const { requestId } = await provider.submit(request());
    expect(server.jobs().map((job) => job.id)).toEqual([requestId]);
    expect(server.submissions()).toBe(1);
  });

  for (const status of ['500', '502']) {
    it(`does not retry a submit answered with ${status}, and says the job may have been submitted`, async () => {
      const server = await startMock({ faults: [`submit:${status}:next=1`] });
      const { provider } = clientFor(server);

      const error = await submitError(provider.submit(request()));
      expect(error.kind).toBe('ambiguous');
      expect(error.message).toContain('may have been submitted');
      expect(server.submissions()).toBe(1);
    });
  }

  it('retries a submit refused with 429 (nothing was created) until it goes through', async () => {
    const server = await startMock({ faults: ['submit:429:next=2'] });
    const { provider } = clientFor(server);

    const { requestId } = await provider.submit(request());
    expect(server.submissions()).toBe(3);
    expect(server.jobs().map((job) => job.id)).toEqual([requestId]);
  });

  it('retries a submit answered 503 (the server did not handle it)', async () => {
    const server = await startMock({ faults: ['submit:503:next=1'] });
    const { provider } = clientFor(server);

    await provider.submit(request());
    expect(server.submissions()).toBe(2);
    expect(server.jobs()).toHaveLength(1);
  });

  it('retries a submit refused by an HTTP 200 carrying a rate-limit error code', async () => {
    const server = await startMock({ faults: ['submit:error-200:code=429001:message=slow down:next=1'] });
    const { provider } = clientFor(server);

    await provider.submit(request());
    expect(server.submissions()).toBe(2);
    expect(server.jobs()).toHaveLength(1);
  });

  it('honours Retry-After on a submit refused with 429', async () => {
    const server = await startMock({ faults: ['submit:429:retry-after=1:next=1'] });
    const { provider } = clientFor(server);

    await provider.submit(request());
    const [refused, accepted] = server.requests.filter((entry) => entry.endpoint === 'submit');
    expect(accepted!.at - refused!.at).toBeGreaterThanOrEqual(1000);
  });

  for (const fault of ['reset', 'malformed', 'unexpected']) {
    it(`does not resubmit when the answer is lost (${fault}) after the job was created`, async () => {
      const server = await startMock({ faults: [`submit:${fault}:next=1`] });
      const { provider } = clientFor(server);

      const error = await submitError(provider.submit(request()));
      expect(error.kind).toBe('ambiguous');
      expect(server.submissions()).toBe(1);
      expect(server.jobs()).toHaveLength(1); // the job exists and is paid: the error is right to warn
    });
  }

  it('does not resubmit after a timeout', async () => {
    const server = await startMock({ faults: ['submit:hang:next=1'] });
    const { provider } = clientFor(server, { timeoutMs: 300 });

    const error = await submitError(provider.submit(request()));
    expect(error.kind).toBe('ambiguous');
    expect(error.message).toContain('no answer within 300 ms');
    expect(server.submissions()).toBe(1);
  });

  it('retries a submit whose connection was refused (nothing was sent), then reports it as transient', async () => {
    const closed = await startMock();
    const url = closed.url;
    await closed.close();
    const { provider } = clientFor({ url });

    const error = await submitError(provider.submit(request()));
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('connection refused');
    expect(error.message).toContain('Gave up after 4 attempts');
    // The network error underneath is kept, for whoever debugs it.
    expect((error.cause as { cause?: { code?: string } })?.cause?.code).toBe('ECONNREFUSED');
  });

  it('reports an invalid body as rejected, with the provider message', async () => {
    const server = await startMock();
    const { provider } = clientFor(server);

    const error = await submitError(provider.submit(request({ duration: 20 })));
    expect(error.kind).toBe('rejected');
    expect(error.details.status).toBe(422);
    expect(error.message).toContain('duration: must be <= 15');
    expect(server.jobs()).toHaveLength(0);
  });

  it('reports multi_prompt durations that do not add up as rejected, with the provider message', async () => {
    const server = await startMock();
    const { provider } = clientFor(server);
    const shots = [
      { prompt: 'wide', duration: 3 },
      { prompt: 'close', duration: 4 },
    ];

    const error = await submitError(
      provider.submit(request({ duration: 6, shot_type: 'customize', multi_prompt: shots })),
    );
    expect(error.kind).toBe('rejected');
    expect(error.message).toContain('sum to 7 s but duration is 6 s');
  });

  it('reports an unknown model as rejected (error_code 400001)', async () => {
    const server = await startMock();
    const { provider } = clientFor(server);

    const error = await submitError(
      provider.submit({ model: 'kling/kling-9/turbo', payload: request().payload }),
    );
    expect(error.kind).toBe('rejected');
    expect(error.details.code).toBe(400001);
  });

  it('reports a wrong token as an auth error that says how to fix it and never shows the token', async () => {
    const server = await startMock({ token: 'the-server-token' });
    const { provider, lines } = clientFor(server);

    const error = await submitError(provider.submit(request()));
    expect(error.kind).toBe('auth');
    expect(error.fatalForBatch).toBe(true);
    expect(error.message).toContain('RUNCOMFY_API_TOKEN');
    expect(error.message).toContain('--provider preview');
    expect(JSON.stringify(error.details)).not.toContain(TOKEN);
    expect(lines.join('\n')).not.toContain(TOKEN);
    expect(server.requests[0]?.authorization).toBe('invalid');
    expect(server.jobs()).toHaveLength(0);
  });

  it('reports insufficient balance sent as HTTP 200 as fatal for the batch', async () => {
    const server = await startMock({ faults: ['submit:error-200:code=400002:next=1'] });
    const { provider } = clientFor(server);

    const error = await submitError(provider.submit(request()));
    expect(error.kind).toBe('balance');
    expect(error.fatalForBatch).toBe(true);
  });

  it('scrubs the token from what a server echoes back', async () => {
    const echo = createServer((incoming, response) => {
      response.writeHead(422, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ detail: `bad request from ${incoming.headers.authorization}` }));
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
      const provider = createRunComfyProvider({ token: TOKEN, baseUrl: url, maxRequestsPerSecond: 1000 });

      const error = await submitError(provider.submit(request()));
      expect(error.message).toContain('bad request from Bearer [redacted]');
      expect(JSON.stringify(error.details.raw)).not.toContain(TOKEN);
    } finally {
      echo.closeAllConnections();
      await new Promise((resolve) => echo.close(resolve));
    }
  });
});
