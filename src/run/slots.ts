/**
 * The batch's two pools. A job holds a generation slot from its submission until the provider says
 * it completed: that is what `--concurrency` bounds, the jobs the account runs at once. Downloading
 * and verifying the clip then take a download slot instead, so the next submission does not wait for
 * them (a generation slot idle through a download is a generation not running).
 */

/** A counting semaphore, first come first served. */
export class Slots {
  private held = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number) {}

  /** How many are taken right now. */
  get inUse(): number {
    return this.held;
  }

  /** Resolves with the function that gives the slot back (calling it twice gives it back once). */
  async acquire(): Promise<() => void> {
    if (this.held < this.size) this.held += 1;
    // A released slot passes straight to the first waiter: `held` does not change.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.held -= 1;
    };
  }
}

export interface BatchSlots {
  /** Submitted and not yet completed remotely: at most `--concurrency`. */
  generation: Slots;
  /** Downloading and verifying a completed job's clip. */
  download: Slots;
}

/**
 * As many downloads as generations: a wave of jobs that complete together is collected at once, and
 * no more clips stream at a time than before the pools were split (memory stays as it was).
 */
export function batchSlots(concurrency: number): BatchSlots {
  const size = Math.max(1, concurrency);
  return { generation: new Slots(size), download: new Slots(size) };
}
