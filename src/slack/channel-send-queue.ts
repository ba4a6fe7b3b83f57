/**
 * One send queue per Slack channel (DESIGN §6 "Rate limits"). The notifier enqueues and returns at once:
 * the engine never waits on Slack, so a rollback is never slowed by it.
 *
 * Contracts:
 * - Per channel, jobs run one at a time in the order they were enqueued; a job that is being retried
 *   keeps the head of its channel, so a thread reply never overtakes the post that creates its root.
 * - Channels are independent: a 429 (or a slow retry) in one channel never delays another.
 * - Coalescing: a job with a `key` replaces a *queued* job with the same key in the same channel, taking
 *   over its place and its attempt counts; the replaced job is dropped without any callback. A job that is
 *   running right now is never replaced (its payload is already on the wire): the newer one queues.
 * - Rate limits (`slack_webapi_rate_limited_error`, `retryAfter` seconds — the WebClient is created with
 *   `rejectRateLimitedCalls: true` so 429s reach us) pause the channel for Retry-After and re-run the
 *   same job; they are not failed attempts, up to `maxRateLimitPauses` per job.
 * - Other errors: exponential backoff with jitter, at most `maxAttempts` runs; errors that can never
 *   succeed (see NON_RETRYABLE_SLACK_ERRORS) are not retried. Giving up calls `onGiveUp` and moves on.
 * - Every job ends in exactly one of `onDone`, `onGiveUp`, or being replaced by a newer job.
 */
import { KanariaError } from "../domain/kanaria-error.js";
import type { Logger } from "../engine/logger.js";
import type { Clock } from "../ports.js";
import { classifySendError } from "./classify-send-error.js";

export interface SendJob<T = unknown> {
  /**
   * Coalescing key, e.g. `update:<channel>:<ts>` for root-message updates: a queued job with the same
   * key is replaced by this one. Omit for jobs that must all be sent (posts, replies, uploads).
   */
  key?: string;
  /** Performs the Slack call. A function so the caller computes the latest payload at send time. */
  run: () => Promise<T>;
  /** Called once with `run`'s result after it succeeded. */
  onDone?: (result: T) => void;
  /** Called once when the queue stops trying; `error.code` is a SendGiveUpCode, `error.cause` Slack's. */
  onGiveUp?: (error: KanariaError) => void;
}

/** The `code` of the KanariaError passed to `onGiveUp`. */
export type SendGiveUpCode =
  /** Slack refused the call with an error no retry can fix (invalid_blocks, not_in_channel, …). */
  | "slack_send_rejected"
  /** `maxAttempts` runs failed with transient errors. */
  | "slack_send_failed"
  /** More than `maxRateLimitPauses` 429s for this job. */
  | "slack_send_rate_limited"
  /** The queue was closed before the job could be sent. */
  | "slack_send_queue_closed";

export interface ChannelSendQueueOptions {
  clock: Clock;
  logger: Logger;
  /** Runs per job for transient errors (429s excluded). Default 5. */
  maxAttempts?: number;
  /** First backoff delay; doubles per failure. Default 1 s. */
  baseBackoffMs?: number;
  /** Backoff cap. Default 30 s. */
  maxBackoffMs?: number;
  /** 429 pauses allowed per job before giving up. Default 10. */
  maxRateLimitPauses?: number;
  /** Jitter source, values in [0, 1). Default Math.random; tests pass a fixed one. */
  random?: () => number;
}

/** Counts for one channel since the queue was created. */
export interface ChannelSendStats {
  /** Jobs waiting or in progress now. */
  queued: number;
  /** Jobs whose `run` succeeded. */
  sent: number;
  /** Runs that were re-runs of a job (after a 429 or a transient error). */
  retried: number;
  /** 429 responses received. */
  rateLimited: number;
  /** Queued jobs replaced by a newer job with the same key. */
  coalesced: number;
  /** Jobs given up (`onGiveUp` called). */
  dropped: number;
}

/**
 * Delay before the retry that follows the `failures`-th failure (1-based): base·2^(failures−1), capped,
 * with "equal jitter" — between half and all of that — so that retries of many jobs spread out but
 * never come back sooner than half the nominal delay.
 */
export function backoffDelayMs(
  failures: number,
  options: { baseBackoffMs: number; maxBackoffMs: number },
  random: () => number,
): number {
  const nominal = Math.min(options.maxBackoffMs, options.baseBackoffMs * 2 ** Math.max(0, failures - 1));
  return Math.round(nominal / 2 + (random() * nominal) / 2);
}

interface Entry {
  key: string | undefined;
  run: () => Promise<unknown>;
  done: (result: unknown) => void;
  giveUp: (error: KanariaError) => void;
  /** Transient failures so far (inherited by a job that replaces this one). */
  failures: number;
  /** 429s so far (inherited likewise). */
  pauses: number;
  /** True while `run` is in flight: such an entry is never replaced. */
  running: boolean;
}

interface ChannelState {
  /** Head = the job being sent or waiting to be retried. */
  queue: Entry[];
  /** The channel's worker, while it runs. */
  worker: Promise<void> | undefined;
  counts: Omit<ChannelSendStats, "queued">;
}

type NextStep = { retryInMs: number } | { giveUp: KanariaError };

export class ChannelSendQueue {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly maxAttempts: number;
  private readonly maxRateLimitPauses: number;
  private readonly backoff: { baseBackoffMs: number; maxBackoffMs: number };
  private readonly random: () => number;
  private readonly channels = new Map<string, ChannelState>();
  /** Aborted by close(): wakes every sleeping channel so it can drop its jobs. */
  private readonly closing = new AbortController();
  private idleWaiters: Array<() => void> = [];
  /** Jobs still being prepared (enqueueWhenReady); idle() waits for them too. */
  private preparing = 0;

  constructor(options: ChannelSendQueueOptions) {
    this.clock = options.clock;
    this.log = options.logger.child({ component: "slack-send-queue" });
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.maxRateLimitPauses = Math.max(0, options.maxRateLimitPauses ?? 10);
    this.backoff = {
      baseBackoffMs: options.baseBackoffMs ?? 1_000,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
    };
    this.random = options.random ?? Math.random;
  }

  /** Queues a job for `channel` and returns at once; never throws. After close() the job is given up. */
  enqueue<T>(channel: string, job: SendJob<T>): void {
    const entry: Entry = {
      key: job.key,
      run: job.run,
      done: (result) => job.onDone?.(result as T),
      giveUp: (error) => job.onGiveUp?.(error),
      failures: 0,
      pauses: 0,
      running: false,
    };
    const state = this.stateOf(channel);
    if (this.closing.signal.aborted) {
      // Asynchronously, so a caller never sees its callback run inside enqueue().
      queueMicrotask(() => this.drop(channel, state, entry, closedError()));
      return;
    }
    if (job.key !== undefined) {
      const queued = state.queue.find((e) => e.key === job.key && !e.running);
      if (queued) {
        queued.run = entry.run;
        queued.done = entry.done;
        queued.giveUp = entry.giveUp;
        state.counts.coalesced++;
        return;
      }
    }
    state.queue.push(entry);
    state.worker ??= this.work(channel, state);
  }

  /**
   * Queues the job `prepare` resolves to, at the tail of `channel`'s queue when it is ready, so that slow
   * preparation (rendering a chart) never holds up the messages queued meanwhile: those go first. A
   * prepare that resolves to undefined sends nothing; one that rejects is logged. idle() waits for it.
   */
  enqueueWhenReady<T>(channel: string, prepare: Promise<SendJob<T> | undefined>): void {
    this.preparing++;
    prepare
      .then(
        (job) => {
          if (job) this.enqueue(channel, job);
        },
        (error: unknown) =>
          this.log.error({ channel, err: error }, "slack send queue: a job was not prepared"),
      )
      .finally(() => {
        this.preparing--;
        this.wakeIdleWaiters();
      });
  }

  /** Resolves when every channel's queue is empty and nothing is in flight or being prepared. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops: later enqueues and every job not yet sent are given up (`slack_send_queue_closed`); calls in
   * flight are let finish (they cannot be recalled). Resolves when every channel has stopped. For a
   * graceful shutdown, `await idle()` first (with a deadline of the caller's choosing).
   */
  async close(): Promise<void> {
    this.closing.abort();
    await Promise.all([...this.channels.values()].map((state) => state.worker));
  }

  /** A snapshot of the per-channel counts, keyed by channel id. */
  stats(): Record<string, ChannelSendStats> {
    const result: Record<string, ChannelSendStats> = {};
    for (const [channel, state] of this.channels) {
      result[channel] = { queued: state.queue.length, ...state.counts };
    }
    return result;
  }

  private stateOf(channel: string): ChannelState {
    let state = this.channels.get(channel);
    if (!state) {
      state = {
        queue: [],
        worker: undefined,
        counts: { sent: 0, retried: 0, rateLimited: 0, coalesced: 0, dropped: 0 },
      };
      this.channels.set(channel, state);
    }
    return state;
  }

  /** The channel's worker: sends the head until the queue is empty or the queue is closed. */
  private async work(channel: string, state: ChannelState): Promise<void> {
    try {
      // Start after the enqueuing code has run to its end: never inside the caller's stack, and a burst
      // of updates enqueued together is coalesced before the first one is sent.
      await Promise.resolve();
      for (let entry = state.queue[0]; entry !== undefined; entry = state.queue[0]) {
        if (this.closing.signal.aborted) {
          for (const dropped of state.queue.splice(0)) this.drop(channel, state, dropped, closedError());
          break;
        }
        if (entry.failures + entry.pauses > 0) state.counts.retried++;
        // Captured now: while running, the entry cannot be replaced, so these are the job's own.
        const { run, done } = entry;
        entry.running = true;
        let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
        try {
          outcome = { ok: true, value: await run() };
        } catch (error) {
          outcome = { ok: false, error };
        } finally {
          entry.running = false;
        }
        if (outcome.ok) {
          state.queue.shift();
          state.counts.sent++;
          this.callSafely(channel, () => done(outcome.value));
          continue;
        }
        const next = this.nextStep(channel, state, entry, outcome.error);
        if ("giveUp" in next) {
          state.queue.shift();
          this.drop(channel, state, entry, next.giveUp);
          continue;
        }
        // When closed meanwhile, the loop's top drops this entry with the rest.
        if (!this.closing.signal.aborted) await this.clock.sleep(next.retryInMs, this.closing.signal);
      }
    } finally {
      state.worker = undefined;
      this.wakeIdleWaiters();
    }
  }

  /** Decides, after a failed run, whether to wait and retry or to give up. Updates the counts. */
  private nextStep(channel: string, state: ChannelState, entry: Entry, error: unknown): NextStep {
    const failure = classifySendError(error);
    switch (failure.kind) {
      case "permanent":
        return {
          giveUp: new KanariaError("slack_send_rejected", `Slack refused the call: ${failure.reason}`, {
            cause: error,
          }),
        };
      case "rate-limited": {
        entry.pauses++;
        state.counts.rateLimited++;
        if (entry.pauses > this.maxRateLimitPauses) {
          return {
            giveUp: new KanariaError(
              "slack_send_rate_limited",
              `still rate limited after ${this.maxRateLimitPauses} pauses`,
              { cause: error },
            ),
          };
        }
        this.log.warn(
          { channel, key: entry.key, retryAfterMs: failure.retryAfterMs },
          "slack rate limit: channel paused",
        );
        return { retryInMs: failure.retryAfterMs };
      }
      case "transient": {
        entry.failures++;
        if (entry.failures >= this.maxAttempts) {
          return {
            giveUp: new KanariaError(
              "slack_send_failed",
              `failed ${entry.failures} times, last: ${failure.reason}`,
              { cause: error },
            ),
          };
        }
        const retryInMs = backoffDelayMs(entry.failures, this.backoff, this.random);
        this.log.info(
          { channel, key: entry.key, reason: failure.reason, failures: entry.failures, retryInMs },
          "slack call failed: will retry",
        );
        return { retryInMs };
      }
    }
  }

  private drop(channel: string, state: ChannelState, entry: Entry, error: KanariaError): void {
    state.counts.dropped++;
    this.log.warn(
      { channel, key: entry.key, code: error.code, message: error.message },
      "slack send given up",
    );
    this.callSafely(channel, () => entry.giveUp(error));
  }

  /** A caller's callback that throws must not stop the channel's worker. */
  private callSafely(channel: string, callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.log.error({ channel, err: error }, "slack send queue: a job callback threw");
    }
  }

  private isIdle(): boolean {
    if (this.preparing > 0) return false;
    for (const state of this.channels.values()) {
      if (state.queue.length > 0 || state.worker !== undefined) return false;
    }
    return true;
  }

  private wakeIdleWaiters(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function closedError(): KanariaError {
  return new KanariaError("slack_send_queue_closed", "the Slack send queue was closed before sending");
}
