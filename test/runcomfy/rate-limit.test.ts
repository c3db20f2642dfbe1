/**
 * The client's limiter against the mock server over real HTTP: the user's cap holds in every second,
 * and against a server that enforces a rate limit (the mock's `per-second` 429 fault) the client
 * learns it and stays under it instead of being refused again and again.
 */
import { describe, expect, it } from 'vitest';
import type { MockRequestLog } from '../../src/providers/mock-server/server.js';
import { clientFor, request, startMock } from './support.js';

/** The most of `times` within any `spanMs`. */
function mostWithin(times: number[], spanMs: number): number {
  return Math.max(0, ...times.map((from) => times.filter((at) => at >= from && at < from + spanMs).length));
}

const refused = (entries: MockRequestLog[]) => entries.filter((entry) => entry.outcome === 429);

describe('the request limiter against the server', () => {
  it('never sends more than the cap in a second, concurrent calls or not', async () => {
    const server = await startMock();
    const sent: number[] = [];
    const counting: typeof fetch = (input, init) => {
      sent.push(Date.now());
      return fetch(input, init);
    };
    const { provider } = clientFor(server, { maxRequestsPerSecond: 4, fetch: counting });
    const { requestId } = await provider.submit(request());
    await Promise.all(Array.from({ length: 11 }, () => provider.status(requestId)));

    expect(sent).toHaveLength(12);
    expect(mostWithin(sent, 1000)).toBe(4);
    // The server saw no more either (a token comes back a second after the answer, not the send).
    expect(
      mostWithin(
        server.requests.map((entry) => entry.at),
        1000,
      ),
    ).toBe(4);
  });

  it('learns a rate limit from its 429s and stays under it (defaults: no cap given)', async () => {
    const server = await startMock({ faults: ['api:429:per-second=3:retry-after=1'] });
    const { provider } = clientFor(server, { maxRequestsPerSecond: undefined });
    const { requestId } = await provider.submit(request());
    const states = await Promise.all(Array.from({ length: 15 }, () => provider.status(requestId)));

    expect(states.every((state) => state.state !== undefined)).toBe(true);
    const refusals = refused(server.requests);
    // The first burst (10, the starting ceiling) meets the limit; after that the client keeps under it.
    expect(refusals.length).toBeGreaterThan(0);
    const firstRefusal = server.requests.indexOf(refusals[0]!);
    const later = server.requests.slice(firstRefusal + 10);
    expect(refused(later)).toHaveLength(0);
  });
});
