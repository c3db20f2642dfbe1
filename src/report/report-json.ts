/**
 * report.json, one per variant: what a CI job or a person reads after a render. Built from the plan,
 * the journal records and this run's outcomes; written atomically, also when the render is incomplete.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Cut, CutAsset } from '../cut/types.js';
import { replaceFile } from '../files/atomic.js';
import { addMoney, type Money, NO_MONEY } from '../job/money.js';
import type { JobRecord } from '../job/record.js';
import type { JobState } from '../job/state.js';
import type { Plan, PlannedJob } from '../plan/types.js';
import type { FilmReport, SceneReport } from './types.js';

export interface SceneFacts {
  record: JobRecord | undefined;
  /** The clip's place relative to the variant folder, when it is there. */
  clip?: string;
  reused: boolean;
  /** What this run paid for the clip's job and attributes to this scene (see ledger.ts). */
  paidThisRun: Money;
  /** Set when this run paid for the job under another film or scene. */
  paidBy?: SceneReport['paidBy'];
}

export interface FilmReportInput {
  plan: Plan;
  provider: string;
  startedAt: string;
  finishedAt: string;
  /** Per scene, in plan order. */
  scenes: SceneFacts[];
  film?: FilmReport['film'];
  /** Why the film could not be made from the verified clips (see FilmReport.filmError). */
  filmError?: FilmReport['filmError'];
  /** The command that resumes the batch; kept in the report only while the film is incomplete. */
  resumeCommand?: string;
  /** The provider costs nothing (a preview): this run paid nothing, whatever RunComfy would charge. */
  free?: boolean;
}

export function buildFilmReport(input: FilmReportInput): FilmReport {
  const { plan } = input;
  const scenes = plan.jobs.map((job, index) => sceneReport(job, input.scenes[index]!));
  const actuals = scenes.map((scene) => scene.actualCost).filter((cost) => cost !== undefined);
  const thisRun = addMoney(...input.scenes.map((facts) => facts.paidThisRun ?? NO_MONEY));
  return {
    version: 1,
    storyboard: plan.storyboard,
    file: plan.file,
    title: plan.title,
    variant: plan.variant,
    ...(plan.variants ? { variants: plan.variants } : {}),
    provider: input.provider,
    ...(input.free ? { free: true as const } : {}),
    status: input.film ? 'complete' : 'incomplete',
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    ...(input.film ? { film: input.film } : {}),
    ...(!input.film && input.filmError ? { filmError: input.filmError } : {}),
    ...(plan.cut && !plan.cut.plain ? { cut: asWritten(plan.cut) } : {}),
    scenes,
    ...(!input.film && input.resumeCommand ? { resumeCommand: input.resumeCommand } : {}),
    cost: {
      estimatedTotal: roundUsd(plan.totalCost),
      ...(actuals.length > 0 ? { actualTotal: roundUsd(actuals.reduce((sum, cost) => sum + cost, 0)) } : {}),
      estimatedThisRun: input.free ? 0 : thisRun.estimatedUsd,
      ...(thisRun.reported > 0 ? { actualThisRun: thisRun.reportedUsd } : {}),
    },
  };
}

/**
 * The cut with its files (music, end-card image, font) as the storyboard writes them, relative to
 * its folder: the render resolved them to absolute paths on this machine, which a report (read in
 * CI logs, attached to pull requests, sent to a client) must not carry.
 */
export function asWritten(cut: Cut): Cut {
  const written = (kind: CutAsset['kind'], resolved: string) =>
    cut.assets.find((asset) => asset.kind === kind)?.written ?? resolved;
  return {
    ...cut,
    assetsResolved: false,
    ...(cut.music ? { music: { ...cut.music, file: written('music', cut.music.file) } } : {}),
    ...(cut.endCard?.image
      ? { endCard: { ...cut.endCard, image: written('image', cut.endCard.image) } }
      : {}),
    ...(cut.font !== undefined ? { font: written('font', cut.font) } : {}),
  };
}

function sceneReport(job: PlannedJob, facts: SceneFacts): SceneReport {
  const { record } = facts;
  const status: JobState = record?.state ?? (facts.clip ? 'verified' : 'planned');
  return {
    index: job.index,
    scene: job.scene,
    key: job.key,
    ...(record?.requestId ? { requestId: record.requestId } : {}),
    status,
    reused: facts.reused,
    ...(facts.clip ? { clip: facts.clip } : {}),
    prompt: job.payload.prompt,
    shots: job.shots,
    duration: job.duration,
    aspectRatio: job.payload.aspect_ratio,
    sound: job.payload.sound,
    estimatedCost: job.cost,
    ...(record?.cost.actual !== undefined ? { actualCost: record.cost.actual } : {}),
    paidThisRun: facts.paidThisRun.jobs > 0,
    ...(facts.paidBy ? { paidBy: facts.paidBy } : {}),
    timings: record ? timings(record) : {},
    ...(record?.error && status !== 'verified'
      ? { error: { kind: record.error.kind, message: record.error.message } }
      : {}),
  };
}

/**
 * When the latest attempt was sent (after the client's rate limiter, not when the intent was written)
 * and answered, first seen generating and completed (a resumed job keeps the times an earlier run saw),
 * and verified.
 */
function timings(record: JobRecord): SceneReport['timings'] {
  const lastSubmit = record.transitions.findLastIndex((transition) => transition.state === 'submitting');
  const latest = record.transitions.slice(Math.max(lastSubmit, 0));
  const first = (state: JobState) => latest.find((transition) => transition.state === state)?.at;
  const submission = record.submissions.at(-1);
  const found: SceneReport['timings'] = {
    submittedAt: submission?.sentAt ?? first('submitting'),
    answeredAt: submission?.answeredAt,
    startedAt: first('generating'),
    completedAt: first('downloading'),
    verifiedAt: latest.findLast((transition) => transition.state === 'verified')?.at,
  };
  return Object.fromEntries(Object.entries(found).filter(([, at]) => at !== undefined));
}

function roundUsd(usd: number): number {
  return Math.round(usd * 10_000) / 10_000;
}

export async function writeReportJson(file: string, report: FilmReport): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await replaceFile(file, `${JSON.stringify(report, null, 2)}\n`, { fsync: true });
}
