/**
 * A whole render, as a library call: plans in, films and reports out. Decides what each job needs
 * (resume), refuses above the budget before anything is sent, runs the jobs, assembles every variant
 * whose scenes are all verified, and writes report.json for every variant, complete or not.
 */
import { readdir } from 'node:fs/promises';
import { LockLostError } from '../errors.js';
import { NO_MONEY } from '../job/money.js';
import { type JobRecord, unansweredSubmissions } from '../job/record.js';
import { inShard, type Shard } from '../plan/shard.js';
import type { Plan } from '../plan/types.js';
import { providerLabel, type VideoProvider } from '../providers/provider.js';
import { jobId } from '../providers/registry.js';
import type { SceneFacts } from '../report/report-json.js';
import type { FilmReport } from '../report/types.js';
import { type Batch, buildBatch, jobLabel, jobVariants, servedLabel, type TakesRequest } from './batch.js';
import { checkBudget } from './budget.js';
import type { EmitEvent, PlanEvent } from './events.js';
import { sha256File } from './film-current.js';
import type { AssembledVariant } from './films.js';
import { estimatedCostOf, type Inspection, inspectBatch, toSubmit } from './inspect.js';
import type { Journal } from './journal/journal.js';
import type { OutputLayout } from './layout.js';
import { chargesOf, isPayer, type JobCharges } from './ledger.js';
import { type RunResult, runJobs } from './runner.js';
import type { JobOutcome, MediaTools, RunnerOptions } from './runner-types.js';
import { type BatchSummary, summarise } from './summary.js';
import { layoutErrorAfterPaying, prepareVariantFolders } from './variant-folders.js';

export interface RenderBatchInput {
  plans: Plan[];
  provider: VideoProvider;
  layout: OutputLayout;
  journal: Journal;
  media: MediaTools;
  emit: EmitEvent;
  options: RunnerOptions & {
    /** Scene ids whose clip is discarded and rendered again. */
    rerender?: readonly string[];
    /** `--takes N [--scene ID]...`: also generate takes 1..N of these scenes, for comparison. */
    takes?: TakesRequest;
    maxCostUsd?: number;
    /** `--shard K/N`: generate only shard K's jobs and join nothing. */
    shard?: Shard;
    /**
     * The command that resumes this batch, for the summary, without `--rerender`: the batch adds
     * back each scene whose re-render it did not get as far as a journaled request id.
     */
    resumeCommand?: string;
  };
  /** report.html beside report.json (the HTML report); optional so tests can skip it. */
  html?: HtmlReports;
}

export interface HtmlReports {
  /** The jobs are over: pictures of the last clips start now instead of waiting for more clips. */
  jobsDone(): void;
  /**
   * The report as it stands before the film is joined: its pictures are made meanwhile. Resolves
   * when the join may begin: once the contact sheet's ffmpeg is on its way (or none is made, or
   * soon whatever happens). The join's own reading of the clips holds the CPU for a while (200
   * scenes: ~150 ms), and the pictures' file checks waited behind it to start the longest of the
   * two, the sheet (~230 ms).
   */
  early(draft: FilmReport, variantDir: string): Promise<void>;
  /**
   * Writes report.html for the finished report (it reports its own failures). `firstFrameOf`: the
   * clip whose first frame the film's is, when it was just joined from the clips by stream copy.
   */
  write(report: FilmReport, variantDir: string, film?: { firstFrameOf?: string }): Promise<void>;
}

export interface RenderBatchResult {
  summary: BatchSummary;
  reports: { variantDir: string; report: FilmReport }[];
  exitCode: number;
}

export async function renderBatch(input: RenderBatchInput): Promise<RenderBatchResult> {
  const startedAt = new Date();
  const { plans, provider, layout, journal, media, emit, options } = input;
  const batch = shardBatch(buildBatch(plans, provider.name, options.takes), options.shard);
  const shardTotal = options.shard ? buildBatch(plans, provider.name, options.takes).jobs.length : 0;
  const storedClip = (id: string) => layout.storedClip(id);
  const rerender = rerenderIds(batch, options.rerender);
  const tools = toolCheck(media);
  // The store cannot hold every clip (a first render): the tools will be needed, so their check runs
  // beside the inspection instead of after it, off the way to the first submit.
  if ((await storedClipCount(layout)) < batch.jobs.length) tools.start();
  const inspections = await inspectBatch(batch, { journal, media, storedClip }, rerender);
  // --no-submit pays for nothing, so no budget can refuse it.
  if (!options.noSubmit) checkBudget(inspections, options.maxCostUsd, provider);
  // Before the first submit or download: a clip must never be paid for, then thrown away because the
  // tool that verifies it cannot run. A rerun with everything in the store starts no process.
  if (inspections.some((inspection) => inspection.decision.action !== 'reuse')) await tools.start();
  await prepareVariantFolders(plans, layout);

  emit(planEvent(plans, provider, inspections, options.noSubmit === true));
  if (options.noSubmit) warnAboutMissing(inspections, emit);
  else warnAboutInspections(inspections, provider, emit);

  const assembly = assemblyModules();
  const indexes = indexesAhead(media, (job) => storedClip(jobId(provider.name, job)));
  const emitting: EmitEvent = (event) => {
    if (event.type === 'downloaded') {
      // The first clip is in: load what joins and reports while the rest generate (the CPU is idle).
      assembly.loadSoon();
      indexes.add(event.job);
    }
    emit(event);
  };
  const run = await runJobs(inspections, { provider, journal, media, storedClip, emit: emitting }, options);
  input.html?.jobsDone();
  // The last clips' indexes are the join's to read now: no read ahead is started any more (one
  // whose module is still loading may still run: a wasted read, never a wrong index).
  indexes.stop();
  const lockLost = noteLostLock(run, options.lockLost?.(), emit);
  const outcomes = new Map(run.outcomes.map((outcome) => [outcome.job.id, outcome]));
  const resumeCommand =
    options.resumeCommand &&
    withRerenders(options.resumeCommand, rerendersLeft(batch, options.rerender, outcomes, journal));
  const verified = await verifiedClips(run.outcomes, journal, storedClip);
  const charges = new Map(
    batch.jobs.map((job) => [job.id, chargesOf(job, journal.peek(job.id), options.runId)]),
  );
  const reports: RenderBatchResult['reports'] = [];
  // Loaded while the jobs ran (see assemblyModules); now, if no clip came.
  const [{ linkVariantClips, joinVariant }, { buildFilmReport, writeReportJson }, { linkTakes }] =
    await assembly.load();
  try {
    // Without the lock, films and reports are left to the process that holds it now. A shard joins
    // nothing: its films need the other shards' clips (merge the stores, then render --no-submit).
    for (const plan of lockLost || options.shard ? [] : plans) {
      const variantDir = layout.variantDir(plan.storyboard, plan.variant);
      const assembly = {
        plan,
        provider: provider.name,
        layout,
        media,
        emit,
        verified,
        join: !options.signal?.aborted,
        ...(options.signal ? { signal: options.signal } : {}),
      };
      const linked = await linkVariantClips(assembly);
      const takes = await linkTakes({
        plan,
        layout,
        journal,
        provider: provider.name,
        batchPlans: plans,
        clips: linked.clips,
      });
      const reportOf = (assembled: AssembledVariant): FilmReport => {
        const report = buildFilmReport({
          plan,
          provider: provider.name,
          startedAt: startedAt.toISOString(),
          finishedAt: new Date().toISOString(),
          scenes: plan.jobs.map((job, index) => {
            const id = jobId(provider.name, job.key);
            return sceneFacts(plan, index, {
              outcome: outcomes.get(id),
              record: journal.peek(id),
              clip: assembled.clips[index],
              charges: charges.get(id),
            });
          }),
          ...(assembled.film ? { film: assembled.film } : {}),
          ...(assembled.filmError ? { filmError: assembled.filmError } : {}),
          ...(resumeCommand ? { resumeCommand } : {}),
          ...(provider.free ? { free: true } : {}),
        });
        report.scenes.forEach((scene, index) => {
          if (takes[index]) scene.takes = takes[index];
        });
        return report;
      };
      // The report's pictures need the clips, not the film: they are made while it is joined.
      const picturesUnderWay = input.html?.early(reportOf(linked), variantDir);
      // After Ctrl-C nothing is joined: no reason to wait.
      if (!options.signal?.aborted) await picturesUnderWay;
      const assembled = await joinVariant(assembly, linked);
      const report = reportOf(assembled);
      await writeReportJson(layout.reportJson(plan.storyboard, plan.variant), report);
      // Also after Ctrl-C: the page is how a person sees what was saved and how to resume.
      const { firstFrameOf } = assembled;
      if (input.html) await input.html.write(report, variantDir, firstFrameOf ? { firstFrameOf } : {});
      reports.push({ variantDir, report });
    }
  } catch (error) {
    throw (await layoutErrorAfterPaying(error, layout)) ?? error;
  }

  const summary = summarise({
    provider,
    run,
    reports,
    interrupted: options.signal?.aborted ?? false,
    startedAt,
    ...(resumeCommand ? { resumeCommand } : {}),
    charges: [...charges.values()],
    ...(options.takes ? { takesUpTo: options.takes.upTo } : {}),
    ...(options.shard ? { shard: { ...options.shard, of: shardTotal } } : {}),
  });
  emit({ type: 'summary', at: new Date().toISOString(), ...summary.event });
  return { summary, reports, exitCode: summary.event.exitCode };
}

const LOAD_AFTER_FIRST_CLIP_MS = 300;

/**
 * The modules that join films and write reports, loaded once: off the way to the first submit, but
 * not on the way from the last clip to the summary either (40 scenes: 10-25 ms there).
 */
function assemblyModules() {
  const importAll = () =>
    Promise.all([import('./films.js'), import('../report/report-json.js'), import('./take-files.js')]);
  let loading: ReturnType<typeof importAll> | undefined;
  let timer: NodeJS.Timeout | undefined;
  return {
    /**
     * A moment after the first clip, not at once: that clip usually ends a wave whose next submits
     * need the CPU now (loading takes ~30 ms of it), and the slots wait for them.
     */
    loadSoon() {
      if (loading || timer) return;
      timer = setTimeout(() => this.load(), LOAD_AFTER_FIRST_CLIP_MS);
      timer.unref();
    },
    load() {
      clearTimeout(timer);
      if (!loading) {
        loading = importAll();
        // Awaited after the jobs; never an unhandled rejection if the batch ends before that.
        loading.catch(() => {});
        // Loaded by the join and the report page when first used (render.ts): only warmed here.
        Promise.all([import('../media/join.js'), import('../report/html.js')]).catch(() => {});
      }
      return loading;
    },
  };
}

/**
 * Each downloaded clip's index is read for the join a moment later (a wave's clips together, as the
 * modules are: after the next submits), so that the join reads only the clips it was not given.
 */
function indexesAhead(media: MediaTools, clipOf: (job: string) => string) {
  const waiting: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const readAll = () => {
    timer = undefined;
    for (const job of waiting.splice(0)) media.readAhead?.(clipOf(job)).catch(() => {});
  };
  return {
    add(job: string) {
      if (!media.readAhead) return;
      waiting.push(job);
      timer ??= setTimeout(readAll, LOAD_AFTER_FIRST_CLIP_MS);
      timer.unref();
    },
    stop() {
      clearTimeout(timer);
      waiting.length = 0;
    },
  };
}

/** `media.checkTools`, run at most once; a failure started early surfaces only when awaited. */
function toolCheck(media: MediaTools): { start(): Promise<void> } {
  let running: Promise<void> | undefined;
  return {
    start() {
      if (!running) {
        running = media.checkTools?.() ?? Promise.resolve();
        running.catch(() => {});
      }
      return running;
    },
  };
}

/** Clips in the store (of any batch): an upper bound on the jobs a rerun can reuse. */
async function storedClipCount(layout: OutputLayout): Promise<number> {
  const names = await readdir(layout.storeDir).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith('.mp4') && !name.startsWith('.')).length;
}

/** `--shard K/N`: only the jobs whose key falls in shard K (by key alone, see plan/shard.ts). */
function shardBatch(batch: Batch, shard: Shard | undefined): Batch {
  return shard ? { ...batch, jobs: batch.jobs.filter((job) => inShard(job.key, shard)) } : batch;
}

/** A lock lost after the last submission stops the batch all the same (said once). */
function noteLostLock(run: RunResult, why: string | undefined, emit: EmitEvent): boolean {
  if (why === undefined) return false;
  if (!(run.stoppedBy instanceof LockLostError)) {
    run.stoppedBy = new LockLostError(why);
    emit({ type: 'warning', at: new Date().toISOString(), code: 'batch_stopped', message: why });
  }
  return true;
}

/** Job id -> SHA-256 of its clip, for every job whose clip is verified in the store after this run. */
async function verifiedClips(
  outcomes: JobOutcome[],
  journal: Journal,
  storedClip: (id: string) => string,
): Promise<Map<string, string>> {
  const verified = new Map<string, string>();
  for (const { job, result } of outcomes) {
    if (result !== 'reused' && result !== 'generated') continue;
    // Journaled when the clip was verified (or reused); hashed here only if a record somehow lacks it.
    verified.set(job.id, journal.peek(job.id)?.clip?.sha256 ?? (await sha256File(storedClip(job.id))));
  }
  return verified;
}

/**
 * Scenes of `--rerender` still to re-render: a job this run submitted and whose request id is
 * journaled is collected by the next run (a pending request wins over the clip it replaces, resume.ts),
 * so asking again would pay twice; one never sent, refused, or whose answer was lost is asked again.
 */
function rerendersLeft(
  batch: Batch,
  scenes: readonly string[] = [],
  outcomes: ReadonlyMap<string, JobOutcome>,
  journal: Journal,
): string[] {
  const sent = (id: string) =>
    (outcomes.get(id)?.submitted ?? 0) > 0 && journal.peek(id)?.requestId !== undefined;
  return scenes.filter((scene) =>
    batch.jobs.some((job) => job.uses.some((use) => use.scene === scene) && !sent(job.id)),
  );
}

function withRerenders(command: string, scenes: string[]): string {
  // Scene ids are [a-z0-9_-]: nothing to quote.
  return [command, ...scenes.map((scene) => `--rerender ${scene}`)].join(' ');
}

/** Jobs whose clip --rerender discards: every job one of the named scenes uses (not its other takes). */
export function rerenderIds(batch: Batch, scenes: readonly string[] = []): Set<string> {
  return new Set(
    batch.jobs
      .filter((job) => !job.extraTake && job.uses.some((use) => scenes.includes(use.scene)))
      .map((job) => job.id),
  );
}

/**
 * `--max-cost` before the lock is taken: a refusal must leave the output folder as it was (no
 * `.storyreel/` created). The render checks again once it holds the lock, in case another process
 * changed the journal in between.
 */
export async function checkBudgetUnlocked(
  input: Pick<RenderBatchInput, 'plans' | 'provider' | 'layout' | 'journal' | 'media'> & {
    rerender?: readonly string[];
    takes?: TakesRequest;
    maxCostUsd?: number;
    /** A shard is held to its own jobs' cost, not the campaign's. */
    shard?: Shard;
  },
): Promise<void> {
  if (input.maxCostUsd === undefined || input.provider.free) return;
  const batch = shardBatch(buildBatch(input.plans, input.provider.name, input.takes), input.shard);
  const inspections = await inspectBatch(
    batch,
    { journal: input.journal, media: input.media, storedClip: (id) => input.layout.storedClip(id) },
    rerenderIds(batch, input.rerender),
  );
  checkBudget(inspections, input.maxCostUsd, input.provider);
}

/** What report.json says of one scene, from this run's outcome, the journal and the ledger. */
function sceneFacts(
  plan: Plan,
  index: number,
  known: {
    outcome: JobOutcome | undefined;
    record: JobRecord | undefined;
    clip: string | undefined;
    charges: JobCharges | undefined;
  },
): SceneFacts {
  const { outcome, record, clip, charges } = known;
  // A job is paid once, under the first film (and scene) of the batch that needs it (ledger.ts);
  // every other use of it was generated for that one, so here it is reused.
  const payer = charges !== undefined && isPayer(charges, { ...plan, index });
  const paidByOther = charges !== undefined && !payer && charges.thisRun.jobs > 0;
  return {
    record,
    ...(clip ? { clip } : {}),
    reused: outcome?.result === 'reused' || (outcome?.result === 'generated' && !payer),
    paidThisRun: payer ? charges.thisRun : NO_MONEY,
    ...(paidByOther
      ? {
          paidBy: {
            storyboard: charges.payer.storyboard,
            variant: charges.payer.variant,
            scene: charges.payer.scene,
          },
        }
      : {}),
  };
}

function planEvent(
  plans: Plan[],
  provider: VideoProvider,
  inspections: Inspection[],
  noSubmit: boolean,
): PlanEvent {
  const count = (action: string) => inspections.filter((i) => i.decision.action === action).length;
  const submitting = noSubmit ? [] : toSubmit(inspections);
  return {
    type: 'plan',
    at: new Date().toISOString(),
    provider: provider.name,
    variants: plans.map((plan) => ({
      storyboard: plan.storyboard,
      variant: plan.variant,
      scenes: plan.jobs.length,
      durationSec: plan.totalDuration,
    })),
    jobs: {
      total: inspections.length,
      reused: count('reuse'),
      inFlight: count('poll') + count('refetch'),
      toSubmit: submitting.length,
      ...(noSubmit ? { missing: count('submit') } : {}),
    },
    // What this run will pay: nothing on a free provider, whatever a paid one would charge.
    estimatedCostUsd: provider.free ? 0 : estimatedCostOf(submitting),
  };
}

/** --no-submit: every job the store cannot give, named before anything else happens. */
function warnAboutMissing(inspections: Inspection[], emit: EmitEvent): void {
  const missing = toSubmit(inspections);
  if (missing.length === 0) return;
  emit({
    type: 'warning',
    at: new Date().toISOString(),
    code: 'missing_jobs',
    message:
      `--no-submit: ${missing.length} job(s) are not in the store and are not submitted: ` +
      `${missing.map((i) => servedLabel(jobLabel(i.job).split('+'), jobVariants(i.job))).join(', ')}. ` +
      'Their films are not joined; render without --no-submit (or merge the store that holds them) to finish.',
    scenes: missing.flatMap((i) => i.job.uses.map((use) => use.scene)),
  });
}

/** Said loudly, before anything else happens: each of these may cost money or explain a resubmission. */
function warnAboutInspections(inspections: Inspection[], provider: VideoProvider, emit: EmitEvent): void {
  const at = new Date().toISOString();
  const maybe = inspections.filter(
    (i) => i.decision.action === 'submit' && i.decision.reason === 'maybe_submitted',
  );
  if (maybe.length > 0) {
    const unanswered = maybe.reduce(
      (sum, i) => sum + (i.record ? unansweredSubmissions(i.record).length : 0),
      0,
    );
    emit({
      type: 'warning',
      at,
      code: 'may_have_been_submitted',
      message:
        `${maybe.length} job(s) may already have been submitted (and paid for) by an earlier run whose ` +
        `answer was lost (${unanswered} unanswered submission(s)): ${maybe.map((i) => jobLabel(i.job)).join(', ')}. ` +
        `${sentenceStart(providerLabel(provider))} offers no way to find such a request, so they are submitted again.`,
      scenes: maybe.flatMap((i) => i.job.uses.map((use) => use.scene)),
    });
  }
  const cancelled = inspections.filter(
    (i) => i.decision.action === 'submit' && i.decision.reason === 'cancelled',
  );
  if (cancelled.length > 0) {
    emit({
      type: 'warning',
      at,
      code: 'cancelled_before',
      message:
        `${cancelled.length} job(s) were cancelled earlier (storyreel cancel, or by the provider) and are ` +
        `submitted again, at their price: ${cancelled.map((i) => jobLabel(i.job)).join(', ')}.`,
      scenes: cancelled.flatMap((i) => i.job.uses.map((use) => use.scene)),
    });
  }
  for (const inspection of inspections) {
    if (!inspection.storedClipProblem) continue;
    emit({
      type: 'warning',
      at,
      code: 'stored_clip_invalid',
      message: `${jobLabel(inspection.job)}: the stored clip is unusable (${inspection.storedClipProblem}); it will be ${inspection.decision.action === 'refetch' ? 'downloaded again' : 'rendered again'}.`,
      job: inspection.job.key,
      scenes: inspection.job.uses.map((use) => use.scene),
    });
  }
}

/** "the preview" opens a sentence as "The preview". */
function sentenceStart(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
