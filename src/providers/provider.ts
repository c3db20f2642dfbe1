/**
 * The one seam between the runner and whatever generates video. RunComfy (and the mock server that
 * speaks its contract) and the local preview all implement this; the runner never knows which.
 */
import type { KlingRequest } from '../plan/types.js';

export interface GenerationRequest {
  model: string;
  payload: KlingRequest;
  /**
   * Where the clip is first used (scene id, 1-based number in its film). No part of the request: a
   * real provider never sends it (the job key and payload stay as they are); the preview draws it.
   */
  scene?: { id: string; number: number };
  /** A retake (2 or more): like `scene`, never sent to a real provider; the preview draws it. */
  take?: number;
}

/** A remote job's state, as the runner needs it. */
export type RemoteState =
  | { state: 'in_queue'; queuePosition?: number }
  /** `raw` is set when the provider sent a status we do not know: we keep polling and keep its body. */
  | { state: 'in_progress'; raw?: unknown }
  | { state: 'completed' }
  | { state: 'cancelled' }
  | { state: 'failed'; reason: string; raw?: unknown };

/** What `/result` gives: the video when completed, else the current state (keep polling). */
export type RemoteResult =
  | Exclude<RemoteState, { state: 'completed' }>
  | { state: 'completed'; videoUrl: string; costUsd?: number; raw?: unknown };

export type CancelOutcome = 'cancelled' | 'not_cancellable';

export interface CallOptions {
  signal?: AbortSignal;
  /**
   * Called each time the request actually leaves (after the client's rate limiter, before the bytes
   * go out), so the journal can say when a job was sent rather than when storyreel meant to, and
   * the poll planner when a job was last seen unfinished.
   */
  onSent?: () => void;
}

export interface DownloadOptions extends CallOptions {
  /** The link from a completed result, if the caller has one; otherwise the provider asks for it. */
  videoUrl?: string;
  /**
   * Checks the downloaded temporary file (ffprobe) before it is renamed into place; throwing
   * rejects the file (it is deleted and, when the fault could be transient, fetched again).
   */
  verify?: (temporaryPath: string) => Promise<void>;
}

export interface DownloadedVideo {
  bytes: number;
  /** The actual cost the provider reported, when it did. */
  costUsd?: number;
}

export interface VideoProvider {
  readonly name: string;
  /** How people call it in messages ("RunComfy"); the name when absent. */
  readonly label?: string;
  /**
   * True when generating costs nothing (a local preview): budgets do not apply and every cost shown
   * is $0. Absent means paid, at the price table's estimate: the safe default for money.
   */
  readonly free?: boolean;
  /** Sends a paid request. Never retried when the answer is ambiguous: see ProviderError 'ambiguous'. */
  submit(request: GenerationRequest, options?: CallOptions): Promise<{ requestId: string }>;
  status(requestId: string, options?: CallOptions): Promise<RemoteState>;
  result(requestId: string, options?: CallOptions): Promise<RemoteResult>;
  cancel(requestId: string, options?: CallOptions): Promise<CancelOutcome>;
  /**
   * Writes the finished video to `destination` atomically: streamed to a temporary file beside it,
   * verified, then renamed. Re-asks for a fresh link when the one it has expired.
   */
  download(requestId: string, destination: string, options?: DownloadOptions): Promise<DownloadedVideo>;
}

/** How messages name a provider ("RunComfy", "the preview"): the runner never names one itself. */
export function providerLabel(provider: Pick<VideoProvider, 'name' | 'label'>): string {
  return provider.label ?? provider.name;
}
