/** A render driven in-process with the fakes: a fresh journal per run, like a fresh process. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Plan } from '../../src/plan/types.js';
import type { RunEvent } from '../../src/run/events.js';
import { Journal } from '../../src/run/journal/journal.js';
import { outputLayout } from '../../src/run/layout.js';
import { type RenderBatchInput, renderBatch } from '../../src/run/render-batch.js';
import { FakeProvider, fakeMedia, LoggingStorage, type Script } from './fakes.js';

export interface Harness {
  dir: string;
  log: string[];
  provider: FakeProvider;
  storage: LoggingStorage;
  layout: ReturnType<typeof outputLayout>;
  events: RunEvent[];
  render(plans: Plan[], options?: Partial<RenderBatchInput['options']>): ReturnType<typeof renderBatch>;
  cleanup(): Promise<void>;
}

export async function harness(scripts: Record<string, Script> = {}): Promise<Harness> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'storyreel-run-'));
  const log: string[] = [];
  const provider = new FakeProvider(scripts, log);
  const storage = new LoggingStorage(log);
  const layout = outputLayout(dir);
  const events: RunEvent[] = [];
  let runs = 0;
  return {
    dir,
    log,
    provider,
    storage,
    layout,
    events,
    render(plans, options = {}) {
      runs += 1;
      return renderBatch({
        plans,
        provider,
        layout,
        journal: new Journal(storage),
        media: fakeMedia,
        emit: (event) => events.push(event),
        options: { concurrency: 4, pollIntervalMs: 1, timeoutMs: 10_000, runId: `run-${runs}`, ...options },
      });
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The journal record of the job for `prompt`, parsed, as last written. */
export function recordFor(h: Harness, prompt: string) {
  for (const text of h.storage.records.values()) {
    const record = JSON.parse(text);
    if (record.payload.prompt === prompt) return record;
  }
  return undefined;
}
