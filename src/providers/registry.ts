/** The one place that picks a provider by name. Nothing else in storyreel knows which one runs. */
import { ProviderError, UsageError } from '../errors.js';
import type { VideoProvider } from './provider.js';

export const PROVIDER_NAMES = ['runcomfy', 'preview'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/**
 * Seconds between polls at first. RunComfy's own nodes poll every 5 s; a preview completes at once,
 * so waiting there would only slow the animatic down.
 */
export const DEFAULT_POLL_INTERVAL_SEC: Record<ProviderName, number> = { runcomfy: 5, preview: 0.02 };

export function parseProviderName(name: string): ProviderName {
  if ((PROVIDER_NAMES as readonly string[]).includes(name)) return name as ProviderName;
  throw new UsageError(`unknown provider '${name}': use ${PROVIDER_NAMES.join(' or ')}`);
}

/** Caps the RunComfy client's API requests in any second (default: adaptive, from 10 up to 100). */
export const MAX_RPS_ENV = 'RUNCOMFY_MAX_REQUESTS_PER_SECOND';

/**
 * A missing token is a set-up problem found before anything is sent: exit code 2, with the fix. Only
 * the provider asked for is loaded (the command line starts faster without the others).
 */
export async function createProvider(
  name: ProviderName,
  env: Record<string, string | undefined>,
): Promise<VideoProvider> {
  if (name === 'preview') return (await import('./preview/index.js')).createPreviewProvider();
  const maxRequestsPerSecond = parseRate(env[MAX_RPS_ENV]);
  const { createRunComfyProvider } = await import('./runcomfy/client.js');
  try {
    return createRunComfyProvider({ env, ...(maxRequestsPerSecond ? { maxRequestsPerSecond } : {}) });
  } catch (error) {
    if (error instanceof ProviderError && error.kind === 'auth') throw new UsageError(error.message);
    throw error;
  }
}

/**
 * A job's id in the journal and the clip store on provider `name`. Both are shared by providers, but a
 * preview clip must never stand in for a paid one (nor the other way round): the records and clips of
 * the others live under a prefixed id; RunComfy's keep the bare job key they had before there was another.
 */
export function jobId(provider: string, key: string): string {
  return provider === 'runcomfy' ? key : `${provider}-${key}`;
}

function parseRate(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const rate = Number(text);
  if (!Number.isFinite(rate) || rate <= 0) {
    throw new UsageError(`${MAX_RPS_ENV} must be a number of requests per second above 0, got "${text}"`);
  }
  return rate;
}
