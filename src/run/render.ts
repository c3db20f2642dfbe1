/**
 * `storyreel render` as a library call, for the CLI (and tests that want no process): check and plan
 * everything, create the provider, lock the output folder, then run the batch. Any problem found
 * before the lock is taken leaves the output folder untouched.
 */

import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { UsageError } from '../errors.js';
import { checkMediaTools } from '../media/binaries.js';
import {
  checkRerender,
  checkSceneIds,
  describeInvalidVariant,
  type InvalidOtherVariant,
} from '../plan/batch.js';
import { formatUsd } from '../plan/prices.js';
import type { Shard } from '../plan/shard.js';
import type { Plan } from '../plan/types.js';
import type { VideoProvider } from '../providers/provider.js';
import {
  createProvider,
  DEFAULT_POLL_INTERVAL_SEC,
  jobId,
  type ProviderName,
} from '../providers/registry.js';
import type { SheetPictures } from '../report/html.js';
import type { ThumbnailsAhead } from '../report/thumbnails-ahead.js';
import { buildBatch, type TakesRequest } from './batch.js';
import { TAKES_WITHOUT_BUDGET } from './budget-takes.js';
import type { EmitEvent, RunEvent } from './events.js';
import { Journal } from './journal/journal.js';
import { FileJournalStorage } from './journal/storage.js';
import { type OutputLayout, outputLayout } from './layout.js';
import { invalidOtherVariants, loadPlans } from './load-plans.js';
import { lockOutput } from './lock.js';
import { resolvePriceTable } from './price-file.js';
import {
  checkBudgetUnlocked,
  type HtmlReports,
  type RenderBatchResult,
  renderBatch,
} from './render-batch.js';
import type { MediaTools } from './runner-types.js';
import { cleanDeadScratchFolders, cleanLeftovers } from './store.js';

/**
 * ffprobe's verification and the join are loaded when first used: a first render needs them once a
 * clip arrives, not on its way to the first submit (with the report pages, ~30 modules).
 */
export const realMedia: MediaTools = {
  verifyClip: async (...args) => (await import('../media/verify.js')).verifyClip(...args),
  joinClips: async (...args) => (await import('../media/join.js')).joinClips(...args),
  readAhead: async (clip) => (await import('../media/join.js')).readIndexAhead(clip),
  checkTools: checkMediaTools,
};

export interface RenderRequest {
  files: string[];
  variants: string[];
  allVariants: boolean;
  provider: ProviderName;
  concurrency: number;
  outDir: string;
  /** Seconds; default per provider (DEFAULT_POLL_INTERVAL_SEC). */
  pollIntervalSec?: number;
  timeoutMin: number;
  rerender: string[];
  /** `--takes N`: also generate takes 1..N of each scene (of `takeScenes` when given). */
  takes?: number;
  /** `--scene ID...`: the scenes `--takes` applies to; empty: every scene. */
  takeScenes?: string[];
  maxCostUsd?: number;
  pricesFile?: string;
  cwd: string;
  env: Record<string, string | undefined>;
  /** Quoted command line that resumes this render, for the summary. */
  resumeCommand: string;
  /** Music, images and fonts may come from outside the storyboard's folder (src/run/assets.ts). */
  allowOutsideAssets?: boolean;
  /** Send no submission at all: finish from the store (and collect jobs already submitted). */
  noSubmit?: boolean;
  /** `--shard K/N`: generate only shard K's distinct jobs (by key), join nothing. */
  shard?: Shard;
}

export interface PreparedRender {
  request: RenderRequest;
  plans: Plan[];
  /** What `--takes` adds to the batch. */
  takes?: TakesRequest;
  provider: VideoProvider;
  layout: OutputLayout;
  /** STORYREEL_LOCK_STALE_MS, when set. */
  lockStaleMs?: number;
  /** Variants of these storyboards that are not rendered and are invalid: warned about, not refused. */
  invalidOthers?: InvalidOtherVariant[];
}

/** Every check that needs no lock: storyboards, variants, --rerender, prices, token. Throws exit-2 errors. */
export async function prepareRender(request: RenderRequest): Promise<PreparedRender> {
  const prices = await resolvePriceTable({
    pricesFile: request.pricesFile,
    env: request.env,
    cwd: request.cwd,
  });
  const planRequest = {
    files: request.files,
    variants: request.variants,
    allVariants: request.allVariants,
    prices,
    cwd: request.cwd,
  };
  const planned = await loadPlans(planRequest);
  const invalidOthers = request.allVariants ? [] : await invalidOtherVariants(planRequest, planned);
  // Before the provider (and so before any submit): a missing logo must not cost a generation. Only
  // a finished film has assets (its checker loads fonts' and probes' code: loaded only then).
  const plans = planned.some((plan) => plan.cut)
    ? await (await import('./assets.js')).checkPlanAssets(planned, {
        cwd: request.cwd,
        allowOutside: Boolean(request.allowOutsideAssets),
      })
    : planned;
  checkRerender(plans, request.rerender);
  const takes = takesRequest(plans, request);
  const provider = await createProvider(request.provider, request.env);
  if (takes) checkTakesBudget(plans, takes, provider, request.maxCostUsd);
  const layout = outputLayout(path.resolve(request.cwd, request.outDir));
  const lockStaleMs = lockStaleFromEnv(request.env);
  return {
    request,
    plans,
    provider,
    layout,
    invalidOthers,
    ...(takes ? { takes } : {}),
    ...(lockStaleMs !== undefined ? { lockStaleMs } : {}),
  };
}

/** `--takes N [--scene ID]...`, checked: a `--scene` needs `--takes`, and names a scene of the batch. */
function takesRequest(plans: Plan[], request: RenderRequest): TakesRequest | undefined {
  const scenes = request.takeScenes ?? [];
  if (request.takes === undefined) {
    if (scenes.length > 0)
      throw new UsageError(
        `--scene ${scenes[0]} goes with --takes N (which takes of that scene to generate); to render a scene's clip again, use --rerender ${scenes[0]}`,
      );
    return undefined;
  }
  checkSceneIds(plans, scenes, '--scene');
  return { upTo: request.takes, scenes };
}

/**
 * Many takes without a budget are refused before anything is read or sent: the figure is what they
 * would cost if none existed yet (an upper bound; --max-cost then counts only what is missing).
 */
function checkTakesBudget(
  plans: Plan[],
  takes: TakesRequest,
  provider: VideoProvider,
  maxCostUsd: number | undefined,
): void {
  if (takes.upTo <= TAKES_WITHOUT_BUDGET || maxCostUsd !== undefined || provider.free) return;
  const extra = buildBatch(plans, provider.name, takes).jobs.filter((job) => job.extraTake);
  const cost = extra.reduce((sum, job) => sum + job.planned.cost, 0);
  const scenes = new Set(extra.map((job) => `${job.uses[0]!.storyboard}/${job.uses[0]!.scene}`)).size;
  throw new UsageError(
    `--takes ${takes.upTo} may generate up to ${extra.length} more clips (${scenes} scene(s)), estimated up to ` +
      `${formatUsd(cost)}: above --takes ${TAKES_WITHOUT_BUDGET}, say what you are willing to spend with --max-cost USD ` +
      `(takes already stored cost nothing and are not counted against it; \`storyreel takes FILE\` shows them).`,
  );
}

/**
 * How long a lock held from another machine may go unrefreshed before it is taken over (default
 * 30 s). Set lower by the tests that suspend a renderer, so that they do not wait half a minute.
 */
function lockStaleFromEnv(env: Record<string, string | undefined>): number | undefined {
  const text = env.STORYREEL_LOCK_STALE_MS;
  if (text === undefined || text === '') return undefined;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms < 2000) {
    throw new UsageError(
      `STORYREEL_LOCK_STALE_MS must be a whole number of milliseconds, at least 2000, not "${text}"; unset it for the default (30000).`,
    );
  }
  return ms;
}

export interface RenderIO {
  emit: EmitEvent;
  signal?: AbortSignal;
  /** Told about problems that do not change the outcome (a report page that could not be written). */
  warn(message: string): void;
}

export async function executeRender(prepared: PreparedRender, io: RenderIO): Promise<RenderBatchResult> {
  const { request, plans, provider, layout } = prepared;
  for (const invalid of prepared.invalidOthers ?? []) {
    io.emit({
      type: 'warning',
      at: new Date().toISOString(),
      code: 'variant_invalid',
      message: `${invalid.file}: ${describeInvalidVariant(invalid)}`,
    });
  }
  await checkBudgetUnlocked({
    plans,
    provider,
    layout,
    journal: new Journal(new FileJournalStorage(layout)),
    media: realMedia,
    rerender: request.rerender,
    ...(prepared.takes ? { takes: prepared.takes } : {}),
    ...(request.maxCostUsd !== undefined && !request.noSubmit ? { maxCostUsd: request.maxCostUsd } : {}),
    ...(request.shard ? { shard: request.shard } : {}),
  });
  const lock = await lockOutput(layout, `storyreel render ${request.files.join(' ')}`, {
    ...(prepared.lockStaleMs !== undefined ? { staleMs: prepared.lockStaleMs } : {}),
  });
  const thumbnails = thumbnailsWhileRendering(layout, provider, request.concurrency, plans);
  const html = htmlReports(thumbnails, io.warn);
  try {
    await cleanLeftovers(layout);
    await cleanDeadScratchFolders();
    const result = await renderBatch({
      plans,
      provider,
      layout,
      journal: new Journal(new FileJournalStorage(layout)),
      media: realMedia,
      emit: (event) => {
        thumbnails.observe(event);
        io.emit(event);
      },
      options: {
        concurrency: request.concurrency,
        pollIntervalMs: (request.pollIntervalSec ?? DEFAULT_POLL_INTERVAL_SEC[request.provider]) * 1000,
        timeoutMs: request.timeoutMin * 60_000,
        runId: `${new Date().toISOString()}#${process.pid}`,
        lockLost: lock.lost,
        rerender: request.rerender,
        ...(prepared.takes ? { takes: prepared.takes } : {}),
        resumeCommand: request.resumeCommand,
        ...(request.noSubmit ? { noSubmit: true } : {}),
        ...(request.shard ? { shard: request.shard } : {}),
        ...(request.maxCostUsd !== undefined ? { maxCostUsd: request.maxCostUsd } : {}),
        ...(io.signal ? { signal: io.signal } : {}),
      },
      html,
    });
    if (result.reports.length > 1) {
      const { writeIndexHtml } = await import('../report/html.js');
      await writeIndexHtml(layout.root, result.reports).catch((error: Error) =>
        io.warn(`index.html could not be written: ${error.message.split('\n')[0]}`),
      );
    }
    return result;
  } finally {
    // A render that failed after its pictures began: they end (or fail) before their inputs go
    // and the lock is let go; none writes into the folder after that.
    await html.settled();
    await thumbnails.dispose();
    await lock.release();
  }
}

/** At most this long the join waits for the contact sheet's ffmpeg to start (see HtmlReports.early). */
const SHEET_HEAD_START_MAX_MS = 500;

const noop = () => {};

/**
 * report.html for each variant, its pictures started before the film is joined (see HtmlReports).
 * A page that cannot be written is a warning: the film and report.json are what was paid for.
 */
function htmlReports(
  thumbnails: ReturnType<typeof thumbnailsWhileRendering>,
  warn: (message: string) => void,
): HtmlReports & { settled(): Promise<void> } {
  const html = () => import('../report/html.js');
  const early = new Map<string, Promise<SheetPictures>>();
  const begun: Promise<unknown>[] = [];
  return {
    settled: async () => {
      await Promise.allSettled(begun);
    },
    jobsDone: () => thumbnails.flush(),
    early(draft, variantDir) {
      let sheetStarted = () => {};
      const started = new Promise<void>((resolve) => {
        sheetStarted = resolve;
      });
      const pictures = html().then(async (module) =>
        module.makeSheetPictures(draft, variantDir, await thumbnails.made(), sheetStarted),
      );
      // Awaited (and its failure told) by write; never an unhandled rejection if write is not reached.
      pictures.catch(() => {});
      early.set(variantDir, pictures);
      begun.push(pictures);
      return Promise.race([
        started,
        pictures.then(noop, noop),
        delay(SHEET_HEAD_START_MAX_MS, undefined, { ref: false }),
      ]);
    },
    write: (report, variantDir, film = {}) =>
      html()
        .then(async ({ writeReportHtml }) => {
          const made = early.get(variantDir);
          early.delete(variantDir);
          const ahead = await thumbnails.made();
          await writeReportHtml(report, variantDir, {
            ...(ahead ? { ahead } : {}),
            ...(made ? { early: made } : {}),
            ...(film.firstFrameOf ? { firstFrameOf: film.firstFrameOf } : {}),
          });
        })
        .catch((error: Error) => warn(`report.html for ${variantDir}: ${error.message.split('\n')[0]}`)),
  };
}

/**
 * The report's thumbnails, made while the jobs generate (report/thumbnails-ahead.ts): each clip's as
 * it is verified. Loaded with the first clip, off the way to the first submit.
 */
function thumbnailsWhileRendering(
  layout: OutputLayout,
  provider: VideoProvider,
  concurrency: number,
  plans: readonly Plan[],
) {
  let ahead: Promise<ThumbnailsAhead> | undefined;
  // The clips films start with: their first frame at full size is each film's poster.
  const firstClips = plans.flatMap((plan) =>
    plan.jobs[0] ? [layout.storedClip(jobId(provider.name, plan.jobs[0].key))] : [],
  );
  // Clips this run will download, by the plan; fewer left than the slots: the last wave.
  let toDownload = Number.POSITIVE_INFINITY;
  return {
    observe(event: RunEvent): void {
      if (event.type === 'plan') toDownload = event.jobs.toSubmit + event.jobs.inFlight;
      if (event.type !== 'downloaded') return;
      ahead ??= import('../report/thumbnails-ahead.js').then((module) => {
        const made = new module.ThumbnailsAhead();
        for (const clip of firstClips) made.wantPoster(clip);
        return made;
      });
      const clip = layout.storedClip(jobId(provider.name, event.job));
      const lastWave = --toDownload < concurrency;
      void ahead
        .then((thumbnails) => {
          thumbnails.add(clip);
          if (lastWave) thumbnails.hurry();
        })
        .catch(() => {});
    },
    flush(): void {
      void ahead?.then((thumbnails) => thumbnails.flush()).catch(() => {});
    },
    made: (): Promise<ThumbnailsAhead | undefined> => ahead ?? Promise.resolve(undefined),
    // Pictures are never worth a render's outcome: a failure to clean up is left to the next render.
    dispose: async (): Promise<void> => {
      await ahead?.then((thumbnails) => thumbnails.dispose()).catch(() => {});
    },
  };
}
