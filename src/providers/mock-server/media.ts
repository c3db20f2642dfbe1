/**
 * The mock's "CDN": a second listener (another origin, as RunComfy's storage host is) serving the
 * clips of completed jobs through links that can expire. Clips are synthesised once per distinct
 * look (duration, aspect ratio, sound, shots, size) and cached, or supplied by `clipFor`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import pLimit from 'p-limit';
import { synthesizeClip } from '../../media/synth.js';
import type { AspectRatio, KlingRequest } from '../../plan/types.js';
import { describeFault, type FaultBook } from './faults.js';
import type { JobBoard } from './jobs.js';
import {
  breakConnection,
  isConnectionFault,
  isStatusFault,
  type MockRequestLog,
  sendJson,
  sendStatusFault,
} from './respond.js';

/** Returns the path of a ready mp4 to serve for this request body. */
export type ClipSource = (payload: KlingRequest) => string | Promise<string>;

export class ClipCache {
  private readonly clips = new Map<string, Promise<string>>();
  // ffmpeg is CPU-bound: two at a time keeps a burst of downloads from starving the machine.
  private readonly limit = pLimit(2);

  constructor(
    private readonly directory: string,
    private readonly size?: { width: number; height: number },
    private readonly clipFor?: ClipSource,
  ) {}

  /** Waits for syntheses under way (so their folder can be removed). */
  async settle(): Promise<void> {
    await Promise.allSettled(this.clips.values());
  }

  pathFor(payload: KlingRequest): Promise<string> {
    if (this.clipFor) return Promise.resolve(this.clipFor(payload));
    // A single-shot request is drawn as one card with its prompt (an empty list drew a blank card).
    const shots = payload.multi_prompt?.length
      ? payload.multi_prompt
      : [{ prompt: payload.prompt ?? '', duration: payload.duration ?? 5 }];
    const look = { d: payload.duration, a: payload.aspect_ratio, s: payload.sound, shots, size: this.size };
    const key = createHash('sha256').update(JSON.stringify(look)).digest('hex').slice(0, 16);
    let clip = this.clips.get(key);
    if (!clip) {
      const file = path.join(this.directory, `${key}.mp4`);
      clip = this.limit(async () => {
        await synthesizeClip(file, {
          durationSec: payload.duration ?? 5,
          aspectRatio: payload.aspect_ratio ?? '16:9',
          sound: payload.sound ?? true,
          shots,
          title: 'storyreel mock server',
          ...(this.size ? { size: sizeFor(this.size, payload.aspect_ratio ?? '16:9') } : {}),
        });
        return file;
      });
      // A failed synthesis is not cached: the next download tries again.
      clip.catch(() => this.clips.delete(key));
      this.clips.set(key, clip);
    }
    return clip;
  }
}

/** `size` is the 16:9 size: 9:16 clips are it turned, 1:1 clips are square on its short side. */
function sizeFor(size: { width: number; height: number }, aspectRatio: AspectRatio) {
  const long = Math.max(size.width, size.height);
  const short = Math.min(size.width, size.height);
  if (aspectRatio === '9:16') return { width: short, height: long };
  if (aspectRatio === '1:1') return { width: short, height: short };
  return { width: long, height: short };
}

export interface LinkRules {
  /** Links answer 403 once this old; undefined: they never expire. */
  ttlMs?: number;
  /** Links answer 403 after their first download. */
  singleUse?: boolean;
}

interface Link {
  jobId: string;
  issuedAt: number;
  uses: number;
}

/** Every `/result` of a completed job issues a fresh link, as signed URLs do. */
export class LinkStore {
  private readonly links = new Map<string, Link>();

  constructor(public rules: LinkRules = {}) {}

  issue(origin: string, jobId: string): string {
    const linkId = randomUUID();
    this.links.set(linkId, { jobId, issuedAt: Date.now(), uses: 0 });
    return `${origin}/media/${linkId}/${jobId}.mp4`;
  }

  /** The job a link serves, 'expired', or undefined for a link never issued. */
  open(linkId: string): string | 'expired' | undefined {
    const link = this.links.get(linkId);
    if (!link) return undefined;
    const tooOld = this.rules.ttlMs !== undefined && Date.now() - link.issuedAt > this.rules.ttlMs;
    if (tooOld || (this.rules.singleUse && link.uses > 0)) return 'expired';
    link.uses += 1;
    return link.jobId;
  }
}

export interface MediaContext {
  faults: FaultBook;
  jobs: JobBoard;
  links: LinkStore;
  clips: ClipCache;
}

export async function handleMedia(
  request: IncomingMessage,
  response: ServerResponse,
  entry: MockRequestLog,
  context: MediaContext,
): Promise<void> {
  entry.endpoint = 'media';
  const match = /^\/media\/([^/]+)\/([^/]+)\.mp4$/.exec(new URL(request.url ?? '/', 'http://x').pathname);
  if (request.method !== 'GET' || !match) return sendJson(response, entry, 404, { detail: 'Not Found' });
  entry.requestId = match[2];
  const fault = context.faults.draw('media');
  if (fault) entry.fault = describeFault(fault);
  if (fault && isStatusFault(fault)) return sendStatusFault(response, entry, fault);
  if (fault && isConnectionFault(fault)) return breakConnection(request, entry, fault.kind);
  const jobId = context.links.open(match[1]!);
  if (fault?.kind === 'expired' || jobId === 'expired') {
    return sendJson(response, entry, 403, { detail: 'Request has expired (signature no longer valid)' });
  }
  const job = jobId ? context.jobs.get(jobId) : undefined;
  if (!job || job.id !== match[2]) return sendJson(response, entry, 404, { detail: 'No such object' });
  const file = await context.clips.pathFor(job.payload);
  const { size } = await stat(file);
  entry.outcome = fault?.kind === 'truncate' ? 'truncated' : 200;
  response.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': size });
  if (fault?.kind === 'truncate') {
    // Promise the whole file, send half, then drop the connection: a download cut short.
    // (Ending the socket, unlike destroying it, flushes the half that was written.)
    const half = createReadStream(file, { start: 0, end: Math.max(0, Math.floor(size / 2) - 1) });
    half.pipe(response, { end: false });
    half.on('end', () => request.socket.end());
    half.on('error', () => request.socket.destroy());
    return;
  }
  createReadStream(file)
    .on('error', () => request.socket.destroy())
    .pipe(response);
}
