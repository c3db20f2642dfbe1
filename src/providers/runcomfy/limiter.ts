/**
 * The client's request limiter: a bucket of `ceiling` tokens, each returning one second after the
 * answer to the request that spent it. So a burst of up to `ceiling` requests leaves at once (eight
 * submits do not wait for each other), and the server never sees more than `ceiling` arrive in any
 * second: counting from the answer, not from the send, absorbs the network's and the server's delays
 * (a request arrives before it is answered).
 *
 * Submits, results and cancels go ahead of status polls: they unblock a paid job or a slot, while a
 * poll that waits a little only learns a state a little later.
 *
 * The ceiling adapts. RunComfy does not publish its limits, so it starts at a modest figure and grows
 * while the limiter is what holds requests back and the server answers cleanly (one more per clean
 * answer received while requests wait: doubling per window at first, like TCP's slow start); a 429 halves it, pauses every request for the Retry-After the
 * server asked for, and the ceiling never again reaches the rate that earned the 429. After a 429 it
 * grows by one request per second per second of clean saturated use (additive increase).
 *
 * A clean answer that comes back while the window is full but nothing waits yet is banked: a step of
 * growth, good for one window, spent when a request would otherwise block. A batch's burst of submits
 * fills the window before its first polls exist; without the bank those polls waited a whole second
 * for tokens although the server had just coped with the burst. A 429 empties the bank.
 */

export type Priority = 'high' | 'low';

/** How the server answered: cleanly (any answer but a 429), with a 429, or not at all. */
export type Answer = { kind: 'clean' } | { kind: 'lost' } | { kind: 'rate-limited'; retryAfterMs?: number };

export interface LimiterOptions {
  /** Requests per second to start with. */
  initial: number;
  /** Never more than this per second, however clean the answers (the user's cap). */
  max: number;
  /** Test hooks. */
  now?: () => number;
  windowMs?: number;
}

/** What a caller holds from `acquire` to the server's answer. */
export interface Ticket {
  /** The request waited because the window was full: a clean answer to it is a reason to grow. */
  readonly limited: boolean;
  /** Tokens out (this one included) when it left: the rate the server saw, if it answers 429. */
  readonly inWindow: number;
  /** Counts the requests let through, from 1. */
  readonly serial: number;
}

/** A spent token: back at `returnsAt` (infinite while its request is in flight). */
interface Token {
  returnsAt: number;
}

interface IssuedTicket extends Ticket {
  readonly token: Token;
}

interface Waiter {
  resolve(ticket: Ticket): void;
  reject(reason: unknown): void;
  limited: boolean;
  detach(): void;
}

export class RequestLimiter {
  private readonly max: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private current: number;
  /** Below the lowest in-window count that ever earned a 429. */
  private learnt = Number.POSITIVE_INFINITY;
  private seen429 = false;
  private credit = 0;
  /** When each banked step of growth expires (see the header). */
  private banked: number[] = [];
  private pausedUntil = 0;
  private issued = 0;
  /** The last request let through before the ceiling was halved: a 429 to it answers the old ceiling. */
  private halvedAfter = 0;
  private tokens: Token[] = [];
  private readonly queues: Record<Priority, Waiter[]> = { high: [], low: [] };
  private timer: NodeJS.Timeout | undefined;

  constructor(options: LimiterOptions) {
    this.max = Math.max(1, Math.floor(options.max));
    this.current = Math.min(this.max, Math.max(1, Math.floor(options.initial)));
    this.windowMs = options.windowMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  /** Requests allowed in any window right now. */
  get ceiling(): number {
    return this.current;
  }

  /** Resolves when the request may leave; rejects with the signal's reason if it aborts first. */
  acquire(priority: Priority, signal?: AbortSignal): Promise<Ticket> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.queues.high.length === 0 && this.queues.low.length === 0) {
      const ticket = this.take(false);
      if (ticket) return Promise.resolve(ticket);
    }
    return new Promise<Ticket>((resolve, reject) => {
      const queue = this.queues[priority];
      const onAbort = () => {
        const index = queue.indexOf(waiter);
        if (index >= 0) queue.splice(index, 1);
        reject(signal?.reason);
        this.pump();
      };
      const waiter: Waiter = {
        resolve,
        reject,
        limited: false,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(waiter);
      this.pump();
    });
  }

  /** The server's answer to a request that left with `ticket`. */
  answered(ticket: Ticket, answer: Answer): void {
    (ticket as IssuedTicket).token.returnsAt = this.now() + this.windowMs;
    if (answer.kind === 'rate-limited') this.throttled(ticket, answer.retryAfterMs);
    // A clean answer while requests wait is the server coping with the rate that holds them back,
    // even when this request itself did not wait: counting only those that waited left the first
    // burst's followers (a batch's first polls) queued for a whole window before any growth.
    else if (answer.kind === 'clean') {
      if (ticket.limited || this.holdingBack()) this.grow();
      else if (this.windowFull()) this.banked.push(this.now() + this.windowMs);
    }
    this.pump();
  }

  private throttled(ticket: Ticket, retryAfterMs: number | undefined): void {
    this.seen429 = true;
    this.credit = 0;
    this.banked = [];
    this.learnt = Math.min(this.learnt, Math.max(1, ticket.inWindow - 1));
    if (ticket.serial > this.halvedAfter) {
      this.current = Math.max(1, Math.floor(this.current / 2));
      this.halvedAfter = this.issued;
    }
    this.current = Math.min(this.current, this.learnt);
    if (retryAfterMs !== undefined && retryAfterMs > 0) {
      this.pausedUntil = Math.max(this.pausedUntil, this.now() + retryAfterMs);
    }
  }

  /** The most the ceiling may grow to: the user's cap, and below any rate that earned a 429. */
  private get top(): number {
    return Math.min(this.max, this.learnt);
  }

  private grow(): void {
    if (this.current >= this.top) return;
    if (this.seen429) {
      this.credit += 1 / this.current;
      if (this.credit < 1) return;
      this.credit = 0;
    }
    this.current += 1;
  }

  private take(limited: boolean): Ticket | undefined {
    const now = this.now();
    if (now < this.pausedUntil) return undefined;
    this.tokens = this.tokens.filter((token) => token.returnsAt > now);
    if (this.tokens.length >= this.current) return undefined;
    const token: Token = { returnsAt: Number.POSITIVE_INFINITY };
    this.tokens.push(token);
    this.issued += 1;
    const ticket: IssuedTicket = { limited, inWindow: this.tokens.length, serial: this.issued, token };
    return ticket;
  }

  private pump(): void {
    for (;;) {
      const queue = this.queues.high.length > 0 ? this.queues.high : this.queues.low;
      const waiter = queue[0];
      if (!waiter) break;
      const ticket =
        this.take(waiter.limited) ?? (this.spendBanked() ? this.take(waiter.limited) : undefined);
      if (!ticket) {
        // Paused by a Retry-After is not the limiter holding back: it gives no reason to grow.
        if (this.now() >= this.pausedUntil) this.markLimited();
        break;
      }
      queue.shift();
      waiter.detach();
      waiter.resolve(ticket);
    }
    this.schedule();
  }

  private windowFull(): boolean {
    const now = this.now();
    return this.tokens.filter((token) => token.returnsAt > now).length >= this.current;
  }

  /** Grows by one banked step, if one is still good and the ceiling may grow; says whether it did. */
  private spendBanked(): boolean {
    const now = this.now();
    if (now < this.pausedUntil) return false;
    this.banked = this.banked.filter((expiry) => expiry > now);
    while (this.banked.length > 0) {
      this.banked.pop();
      const before = this.current;
      this.grow();
      if (this.current > before) return true;
      if (this.current >= this.top) {
        this.banked = [];
        return false;
      }
    }
    return false;
  }

  /** Requests wait, and not because of a Retry-After pause. */
  private holdingBack(): boolean {
    const waiting = this.queues.high.length + this.queues.low.length > 0;
    return waiting && this.now() >= this.pausedUntil;
  }

  private markLimited(): void {
    for (const waiter of this.queues.high) waiter.limited = true;
    for (const waiter of this.queues.low) waiter.limited = true;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queues.high.length === 0 && this.queues.low.length === 0) return;
    const now = this.now();
    // The token whose return frees a place; none due yet means an answer will call pump().
    const returns = this.tokens.map((token) => token.returnsAt).sort((a, b) => a - b);
    const freeing = this.tokens.length < this.current ? now : returns[this.tokens.length - this.current]!;
    const at = Math.max(this.pausedUntil, freeing);
    if (at === Number.POSITIVE_INFINITY) return;
    // Not unref'd: a request waiting here is work the process still has to do.
    this.timer = setTimeout(() => this.pump(), Math.max(1, at - now));
  }
}
