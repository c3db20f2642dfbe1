/**
 * The journal: job records read once, changed in memory and written through to storage before the
 * change is acted upon. Writes of one record are chained so that they land in the order they were made.
 */

import { type JobRecord, newRecord, parseRecord } from '../../job/record.js';
import type { JobState } from '../../job/state.js';
import type { JournalStorage, WriteOptions } from './storage.js';

export type NewRecordInput = Parameters<typeof newRecord>[0];

export class Journal {
  private readonly cache = new Map<string, JobRecord>();
  private readonly pendingWrites = new Map<string, Promise<void>>();

  constructor(
    readonly storage: JournalStorage,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The record for `id`, or undefined if the job was never journaled. Throws JournalCorruptError. */
  async get(id: string): Promise<JobRecord | undefined> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const text = await this.storage.read(id);
    if (text === undefined) return undefined;
    const record = parseRecord(text, this.storage.describe(id), id);
    this.cache.set(id, record);
    return record;
  }

  /** The record as last loaded or changed by this process, without I/O. */
  peek(id: string): JobRecord | undefined {
    return this.cache.get(id);
  }

  /** The record for `input.id`, created in memory (not yet written) when there is none. */
  async getOrCreate(input: NewRecordInput): Promise<JobRecord> {
    const existing = await this.get(input.id);
    if (existing) return existing;
    const created = newRecord(input);
    this.cache.set(input.id, created);
    return created;
  }

  /**
   * Applies `change` to the record and resolves once the result is durably stored. When `state` is
   * given, a transition is appended too. `urgent` (see JournalStorage.write): a paid request waits.
   */
  async update(
    id: string,
    change: (record: JobRecord) => void,
    transition?: { state: JobState; detail?: string },
    options: WriteOptions = {},
  ): Promise<JobRecord> {
    const record = this.cache.get(id);
    if (!record) throw new Error(`journal: no record ${id} loaded (a bug in storyreel)`);
    change(record);
    if (transition) {
      record.state = transition.state;
      record.transitions.push({
        state: transition.state,
        at: this.timestamp(),
        ...(transition.detail ? { detail: transition.detail } : {}),
      });
    }
    await this.persist(record, options);
    return record;
  }

  /** Shorthand for a transition with an optional change. */
  transition(
    id: string,
    state: JobState,
    detail?: string,
    change: (record: JobRecord) => void = () => {},
    options: WriteOptions = {},
  ): Promise<JobRecord> {
    return this.update(id, change, detail ? { state, detail } : { state }, options);
  }

  timestamp(): string {
    return this.now().toISOString();
  }

  private persist(record: JobRecord, options: WriteOptions): Promise<void> {
    const text = `${JSON.stringify(record, null, 2)}\n`;
    const previous = this.pendingWrites.get(record.id) ?? Promise.resolve();
    const next = previous.then(() => this.storage.write(record.id, text, options));
    // A failed write must still fail its caller, but must not poison later writes of the record.
    this.pendingWrites.set(
      record.id,
      next.catch(() => {}),
    );
    return next;
  }
}
