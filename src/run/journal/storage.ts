/**
 * Where journal records are kept: three methods, so the runner can be tested with an in-memory
 * storage and run for real on files (the shape of umzug's storage, written atomically).
 */
import { readdir, readFile } from 'node:fs/promises';
import { JournalWriteError } from '../../errors.js';
import { replaceFile, replaceFileSyncDurably } from '../../files/atomic.js';
import type { OutputLayout } from '../layout.js';

export interface JournalStorage {
  /** The record's text, or undefined when there is none. */
  read(id: string): Promise<string | undefined>;
  /**
   * Replaces the record atomically and durably: a crash or power cut leaves the old text or the new.
   * `urgent`: a paid request waits for this write; do it now rather than in turn with other I/O.
   */
  write(id: string, text: string, options?: WriteOptions): Promise<void>;
  /** Ids of every record kept. */
  list(): Promise<string[]>;
  /** Names the record for messages (a file path, for files). */
  describe(id: string): string;
}

export interface WriteOptions {
  urgent?: boolean;
}

export class MemoryJournalStorage implements JournalStorage {
  readonly records = new Map<string, string>();
  /** Every write in order, for tests that check what was on "disk" when. */
  readonly writes: { id: string; text: string }[] = [];

  async read(id: string): Promise<string | undefined> {
    return this.records.get(id);
  }
  async write(id: string, text: string): Promise<void> {
    this.writes.push({ id, text });
    this.records.set(id, text);
  }
  async list(): Promise<string[]> {
    return [...this.records.keys()];
  }
  describe(id: string): string {
    return `memory:${id}`;
  }
}

export class FileJournalStorage implements JournalStorage {
  constructor(private readonly layout: OutputLayout) {}

  private file(id: string): string {
    return this.layout.jobRecord(id);
  }

  async read(id: string): Promise<string | undefined> {
    try {
      return await readFile(this.file(id), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async write(id: string, text: string, options: WriteOptions = {}): Promise<void> {
    try {
      // Both make the folder if need be. Every write is fsync'd, state notes included: each
      // rewrites the whole record, request id and all, and a rename of unsynced data over it can
      // leave an empty record after a power cut (filesystems without ext4's auto_da_alloc).
      if (options.urgent) replaceFileSyncDurably(this.file(id), text);
      else await replaceFile(this.file(id), text, { fsync: true });
    } catch (error) {
      const reason = (error as Error)?.message?.split('\n')[0] ?? String(error);
      throw new JournalWriteError(
        `storyreel could not write the journal record ${this.file(id)} (${reason}), so it stopped: it never ` +
          'goes on paying for jobs it cannot record. Make room (or make the folder writable) and rerun: ' +
          'finished clips are kept, requests already made are collected, and a submission whose answer ' +
          'could not be recorded is reported as "may have been submitted".',
        { cause: error },
      );
    }
  }

  async list(): Promise<string[]> {
    try {
      const names = await readdir(this.layout.jobsDir);
      return names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  describe(id: string): string {
    return this.file(id);
  }
}
