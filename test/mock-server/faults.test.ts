/** Fault specs: what they say, what they refuse, and that rates are reproducible. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { FaultBook, parseFaultSpec } from '../../src/providers/mock-server/faults.js';

describe('fault specs', () => {
  it('reads endpoint, kind and options', () => {
    expect(parseFaultSpec('submit:429:retry-after=2:next=3')).toEqual({
      endpoint: 'submit',
      kind: '429',
      rate: 1,
      retryAfterSec: 2,
      next: 3,
    });
    expect(parseFaultSpec('generation:fail:rate=0.25:message=flagged')).toMatchObject({
      kind: 'fail',
      rate: 0.25,
      message: 'flagged',
    });
    expect(parseFaultSpec('any:reset')).toMatchObject({ endpoint: 'any', kind: 'reset' });
  });

  it('refuses what cannot happen, with the syntax in the message', () => {
    for (const spec of [
      'nowhere:500',
      'status:truncate',
      'media:malformed',
      'api:fail',
      'status:500:rate=2',
      'status:503:often',
    ]) {
      let error: unknown;
      try {
        parseFaultSpec(spec);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toContain(`bad fault spec "${spec}"`);
      expect((error as Error).message).toContain('ENDPOINT:KIND');
    }
  });

  it('hits exactly the next N matching requests', () => {
    const book = new FaultBook(['status:503:next=2']);
    expect(book.draw('result')).toBeUndefined();
    expect([book.draw('status'), book.draw('status'), book.draw('status')].map((rule) => rule?.kind)).toEqual(
      ['503', '503', undefined],
    );
  });

  it('acts as a rate limit with per-second: N let through in any second, the rest refused', () => {
    let now = 0;
    const book = new FaultBook(['api:429:per-second=3'], 1, () => now);
    const second = () => Array.from({ length: 5 }, () => book.draw('status')?.kind ?? 'through');
    expect(second()).toEqual(['through', 'through', 'through', '429', '429']);
    now = 999;
    expect(book.draw('result')?.kind).toBe('429');
    now = 1000; // the first three are a second old: three more go through
    expect(second()).toEqual(['through', 'through', 'through', '429', '429']);
    expect(parseFaultSpec('api:429:per-second=3:retry-after=1')).toMatchObject({
      perSecond: 3,
      retryAfterSec: 1,
    });
  });

  it('hits a share of requests given by the rate, the same ones for the same seed', () => {
    const hits = (seed: number) => {
      const book = new FaultBook(['api:500:rate=0.3'], seed);
      return Array.from({ length: 200 }, () => (book.draw('status') ? 1 : 0));
    };
    const first = hits(7);
    expect(hits(7)).toEqual(first);
    expect(hits(8)).not.toEqual(first);
    const share = first.reduce((sum: number, hit) => sum + hit, 0) / first.length;
    expect(share).toBeGreaterThan(0.15);
    expect(share).toBeLessThan(0.45);
  });
});
