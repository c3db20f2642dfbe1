/**
 * Fault injection for the mock server. A fault spec reads `ENDPOINT:KIND[:key=value]...`, e.g.
 * `status:503:rate=0.2`, `submit:429:retry-after=1:next=2`, `media:truncate:next=1`,
 * `generation:fail:message=content policy`, `api:429:per-second=10` (a rate limit). See FAULT_SPEC_HELP for the full syntax.
 *
 * Probabilities come from a seeded PRNG so that a test run is reproducible.
 */
import { UsageError } from '../../errors.js';

export const API_ENDPOINTS = ['submit', 'status', 'result', 'cancel'] as const;
export type ApiEndpoint = (typeof API_ENDPOINTS)[number];
/** Where a request (or a job, for `generation`) can be hit by a fault. */
export type FaultTarget = ApiEndpoint | 'media' | 'generation';
/** What a spec names: a target, or `api` (every API endpoint) or `any` (API and media). */
export type FaultEndpoint = FaultTarget | 'api' | 'any';

const HTTP_KINDS = ['429', '500', '502', '503'] as const;
const CONNECTION_KINDS = ['reset', 'hang'] as const;
const ANSWER_KINDS = ['not-found', 'malformed', 'unexpected', 'error-200'] as const;
const MEDIA_KINDS = ['truncate', 'expired'] as const;
const GENERATION_KINDS = ['fail', 'cancel'] as const;

export type FaultKind =
  | (typeof HTTP_KINDS)[number]
  | (typeof CONNECTION_KINDS)[number]
  | (typeof ANSWER_KINDS)[number]
  | (typeof MEDIA_KINDS)[number]
  | (typeof GENERATION_KINDS)[number];

export interface FaultRule {
  endpoint: FaultEndpoint;
  kind: FaultKind;
  /** Probability that a matching request is hit, 0..1. Default 1. */
  rate: number;
  /** Hits left; undefined means unlimited. With rate 1: exactly the next N matching requests. */
  next?: number;
  /**
   * A rate limit instead of a share: the rule lets this many of its requests through in any sliding
   * second and hits the rest (those it hits are not counted).
   */
  perSecond?: number;
  /** Retry-After header (for 429/5xx): seconds, sent as delta-seconds... */
  retryAfterSec?: number;
  /** ...or as an HTTP date that many seconds ahead. */
  retryAfterDateSec?: number;
  /** error_code of an `error-200` answer. Default 400002 (insufficient balance). */
  code?: number;
  /** The reason of a `fail`ed generation, or the message of an `error-200`. */
  message?: string;
}

export const FAULT_SPEC_HELP = `fault spec: ENDPOINT:KIND[:key=value]...
  ENDPOINT  submit | status | result | cancel | media | generation | api (the four API endpoints) | any (API and media)
  KIND      on API and media requests: 429 | 500 | 502 | 503 | reset (socket destroyed) | hang (never answers)
            on API requests: not-found (404, error_code 404001) | malformed (200, not JSON) |
                             unexpected (200, JSON of the wrong shape) | error-200 (200 with error_code)
            on media: truncate (Content-Length promised, half sent, then reset) | expired (403)
            on generation (drawn once per submitted job): fail (status "failed" with an error) | cancel
  keys      rate=P (probability 0..1, default 1) | next=N (at most N hits) |
            per-second=N (a rate limit: N requests let through in any second, the rest hit) | retry-after=S |
            retry-after-date=S (Retry-After as an HTTP date S seconds ahead) | code=N (error-200) |
            message=TEXT (fail, error-200)
  Status faults, not-found and error-200 answer before the request is handled (a submit creates no job);
  reset, hang, malformed and unexpected happen after it (a submit did create its job: a lost answer).`;

const KINDS_BY_TARGET: Record<FaultTarget, readonly FaultKind[]> = {
  submit: [...HTTP_KINDS, ...CONNECTION_KINDS, ...ANSWER_KINDS],
  status: [...HTTP_KINDS, ...CONNECTION_KINDS, ...ANSWER_KINDS],
  result: [...HTTP_KINDS, ...CONNECTION_KINDS, ...ANSWER_KINDS],
  cancel: [...HTTP_KINDS, ...CONNECTION_KINDS, ...ANSWER_KINDS],
  media: [...HTTP_KINDS, ...CONNECTION_KINDS, ...MEDIA_KINDS],
  generation: GENERATION_KINDS,
};

export function targetsOf(endpoint: FaultEndpoint): FaultTarget[] {
  if (endpoint === 'api') return [...API_ENDPOINTS];
  if (endpoint === 'any') return [...API_ENDPOINTS, 'media'];
  return [endpoint];
}

export function parseFaultSpec(spec: string): FaultRule {
  const [endpoint = '', kind = '', ...options] = spec.trim().split(':');
  const fail = (why: string) => new UsageError(`bad fault spec "${spec}": ${why}\n${FAULT_SPEC_HELP}`);
  const endpoints: FaultEndpoint[] = [...API_ENDPOINTS, 'media', 'generation', 'api', 'any'];
  if (!endpoints.includes(endpoint as FaultEndpoint)) throw fail(`unknown endpoint "${endpoint}"`);
  const targets = targetsOf(endpoint as FaultEndpoint);
  if (!targets.every((target) => KINDS_BY_TARGET[target].includes(kind as FaultKind))) {
    throw fail(`"${kind}" is not a fault of ${endpoint}`);
  }
  const rule: FaultRule = { endpoint: endpoint as FaultEndpoint, kind: kind as FaultKind, rate: 1 };
  for (const option of options) {
    const [key, ...rest] = option.split('=');
    const value = rest.join('=');
    const number = Number(value);
    if (key === 'rate' && value && number >= 0 && number <= 1) rule.rate = number;
    else if (key === 'next' && Number.isInteger(number) && number >= 1) rule.next = number;
    else if (key === 'per-second' && Number.isInteger(number) && number >= 1) rule.perSecond = number;
    else if (key === 'retry-after' && value && number >= 0) rule.retryAfterSec = number;
    else if (key === 'retry-after-date' && value && number >= 0) rule.retryAfterDateSec = number;
    else if (key === 'code' && Number.isInteger(number)) rule.code = number;
    else if (key === 'message' && value) rule.message = value;
    else throw fail(`cannot read "${option}"`);
  }
  return rule;
}

/** mulberry32: tiny, fast, and plenty for "fail 20% of requests, the same 20% every run". */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The active fault rules; `draw` says which one (if any) hits the request at hand. */
export class FaultBook {
  private rules: FaultRule[] = [];
  private readonly random: () => number;
  /** The times of the requests each rate-limit rule let through, within the last second. */
  private readonly passed = new Map<FaultRule, number[]>();

  constructor(
    rules: Array<FaultRule | string> = [],
    seed = 1,
    private readonly now: () => number = Date.now,
  ) {
    this.random = seededRandom(seed);
    for (const rule of rules) this.add(rule);
  }

  add(rule: FaultRule | string): FaultRule {
    const parsed = typeof rule === 'string' ? parseFaultSpec(rule) : { ...rule };
    this.rules.push(parsed);
    return parsed;
  }

  clear(): void {
    this.rules = [];
    this.passed.clear();
  }

  list(): FaultRule[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  /** The first rule for `target` that fires; spends one of its `next` hits. */
  draw(target: FaultTarget): FaultRule | undefined {
    for (const rule of this.rules) {
      if (!targetsOf(rule.endpoint).includes(target)) continue;
      if (rule.next !== undefined && rule.next <= 0) continue;
      if (rule.perSecond !== undefined && !this.overLimit(rule)) continue;
      if (rule.rate < 1 && this.random() >= rule.rate) continue;
      if (rule.next !== undefined) rule.next -= 1;
      return { ...rule };
    }
    return undefined;
  }

  /** Whether a rate-limit rule is at its limit; if not, the request is counted as let through. */
  private overLimit(rule: FaultRule): boolean {
    const now = this.now();
    const times = (this.passed.get(rule) ?? []).filter((time) => time > now - 1000);
    const over = times.length >= (rule.perSecond ?? 0);
    if (!over) times.push(now);
    this.passed.set(rule, times);
    return over;
  }
}

export function describeFault(rule: FaultRule): string {
  return `${rule.endpoint}:${rule.kind}`;
}
