/** A job's identity: the hash of exactly what is sent, so an edit is a new job and nothing else is. */
import { createHash } from 'node:crypto';
import type { KlingRequest } from './types.js';

/** JSON with object keys sorted at every level, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * sha256 (hex) of the canonical JSON of `{model, payload}` for take 1, and of `{model, payload, take}`
 * for a retake. Take 1 hashes exactly what it always did, so every existing clip store and journal
 * stays valid; a retake sends the same request but is another generation, so it needs its own key.
 */
export function jobKey(model: string, payload: KlingRequest, take = 1): string {
  if (!Number.isInteger(take) || take < 1)
    throw new RangeError(`a take is a whole number from 1, not ${take}`);
  const identity = take === 1 ? { model, payload } : { model, payload, take };
  return createHash('sha256').update(canonicalJson(identity)).digest('hex');
}

/**
 * The keys of takes 1..`upTo` of one request, equal to `jobKey(model, payload, take)` for each: the
 * canonical text of every take starts with the same `{"model":…,"payload":…`, hashed once and
 * copied, so a folder's takes are looked up for each scene without hashing the payload 99 times
 * (that was most of a rerun's CPU time).
 */
export function takeKeys(model: string, payload: KlingRequest, upTo: number): string[] {
  const shared = createHash('sha256').update(
    `{"model":${canonicalJson(model)},"payload":${canonicalJson(payload)}`,
  );
  return Array.from({ length: upTo }, (_, index) =>
    shared
      .copy()
      .update(index === 0 ? '}' : `,"take":${index + 1}}`)
      .digest('hex'),
  );
}
