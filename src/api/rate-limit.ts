import { DomainError } from '../domain/errors.js';

/**
 * Fixed-window counter per key (SEC-11): enough for login throttling on one node. Behind several API nodes, the
 * per-account lockout in the database still bounds guessing; this only sheds load early.
 */
export class RateLimiter {
  readonly #hits = new Map<string, { windowStart: number; count: number }>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Counts one hit; throws RATE_LIMITED with Retry-After once the key is over its limit. */
  hit(key: string, nowMs: number): void {
    const entry = this.#hits.get(key);
    if (!entry || nowMs - entry.windowStart >= this.windowMs) {
      this.#hits.set(key, { windowStart: nowMs, count: 1 });
      if (this.#hits.size > 50_000) this.#prune(nowMs);
      return;
    }
    entry.count += 1;
    if (entry.count > this.limit) {
      const retryAfterSeconds = Math.ceil((entry.windowStart + this.windowMs - nowMs) / 1000);
      throw new DomainError('RATE_LIMITED', `too many attempts; retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
    }
  }

  #prune(nowMs: number): void {
    for (const [k, v] of this.#hits) if (nowMs - v.windowStart >= this.windowMs) this.#hits.delete(k);
  }
}
