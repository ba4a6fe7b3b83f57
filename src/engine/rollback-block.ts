/**
 * A rollback that AWS refuses is *blocked*, never failed (DESIGN §4: a rollback never gives up). While
 * blocked, the ROLLBACK stage stays RUNNING and the deployment ROLLING_BACK; the runner retries with
 * capped exponential backoff and jitter, for as long as it takes, and people are told:
 *
 * - one ROLLBACK_BLOCKED event when the outage begins, and again only when what blocks it changes (a
 *   new error) — the Slack thread shows them as one reply, updated in place;
 * - one ROLLBACK_ESCALATED event that names the requester and the app's approvers: at once for a
 *   failure that waiting cannot heal (access denied, a target group that is gone), otherwise once the
 *   block has lasted `escalateAfterMs`;
 * - one ROLLBACK_UNBLOCKED event when a step goes through again.
 *
 * The block lives in the ROLLBACK stage's state (`rollbackBlock`), so a restarted process keeps the
 * outage's start, its attempts and whether people were already asked.
 */

import { formatDuration } from "../config/duration.js";
import type { Stage } from "../domain/deployment.js";
import type { RollbackBlock } from "../domain/rollback-block.js";
import type { AnyStageState } from "../domain/stage-state.js";
import { describeSplit, lastSetTraffic } from "../domain/traffic-split.js";
import type { JournalWriter } from "./journal.js";

export interface RollbackPolicy {
  /** The longest wait between two attempts of a blocked rollback. */
  retryCapMs: number;
  /** How long a block that waiting may heal lasts before people are asked by name. */
  escalateAfterMs: number;
  /** A number in [0, 1) for the jitter; injected so tests are deterministic. */
  random: () => number;
}

export const DEFAULT_ROLLBACK_POLICY: RollbackPolicy = {
  retryCapMs: 15_000,
  escalateAfterMs: 5 * 60_000,
  random: Math.random,
};

/** What failed: the message people read and whether waiting may heal it. */
export interface RollbackFailure {
  error: string;
  transient: boolean;
}

/**
 * The wait before attempt `attempts + 1`: 1 s, 2 s, 4 s … capped, with "equal jitter" (half fixed, half
 * random) so that many blocked deployments do not retry in step, yet none waits longer than the cap.
 */
export function retryDelayMs(attempts: number, policy: RollbackPolicy): number {
  const base = Math.min(policy.retryCapMs, 1000 * 2 ** Math.max(0, attempts - 1));
  return Math.round(base / 2 + (base / 2) * policy.random());
}

/**
 * Records one failed attempt of the ROLLBACK stage and returns when to try again. Runs inside a
 * journal write.
 */
export function recordBlockedAttempt(
  w: JournalWriter,
  stage: Stage,
  failure: RollbackFailure,
  policy: RollbackPolicy,
  setState: (state: AnyStageState) => void,
): number {
  const previous = stage.state.rollbackBlock;
  const attempts = (previous?.attempts ?? 0) + 1;
  const delay = retryDelayMs(attempts, policy);
  const block: RollbackBlock = {
    since: previous?.since ?? w.now,
    attempts,
    error: failure.error,
    transient: failure.transient,
    retryAt: w.now + delay,
    escalatedAt: previous?.escalatedAt,
  };
  const traffic = trafficLine(w);
  if (!previous || previous.error !== failure.error) {
    w.event({
      type: "ROLLBACK_BLOCKED",
      stageIndex: stage.index,
      message: `rollback blocked: ${failure.error}; retrying every ${formatDuration(policy.retryCapMs)} at most; ${traffic}`,
      data: {
        since: block.since,
        attempts,
        error: failure.error,
        transient: failure.transient,
        retryCapMs: policy.retryCapMs,
        traffic,
      },
    });
  }
  const due = !failure.transient || w.now - block.since >= policy.escalateAfterMs;
  if (block.escalatedAt === undefined && due) {
    block.escalatedAt = w.now;
    const why = failure.transient
      ? `AWS has refused the rollback for ${formatDuration(w.now - block.since)}`
      : "waiting will not fix this";
    w.event({
      type: "ROLLBACK_ESCALATED",
      stageIndex: stage.index,
      message: `rollback needs people: ${why}: ${failure.error}; ${traffic}`,
      data: { since: block.since, error: failure.error, transient: failure.transient },
    });
  }
  setState({ ...stage.state, rollbackBlock: block });
  return block.retryAt;
}

/** Clears a block after an attempt went through; no-op when the stage was not blocked. */
export function clearBlock(w: JournalWriter, stage: Stage, setState: (state: AnyStageState) => void): void {
  const block = stage.state.rollbackBlock;
  if (!block) return;
  const { rollbackBlock: _cleared, ...rest } = stage.state;
  setState(rest);
  w.event({
    type: "ROLLBACK_UNBLOCKED",
    stageIndex: stage.index,
    message: `rollback going again after ${formatDuration(w.now - block.since)} blocked (${block.attempts} failed attempt${block.attempts === 1 ? "" : "s"})`,
    data: { since: block.since, attempts: block.attempts },
  });
}

function trafficLine(w: JournalWriter): string {
  const split = lastSetTraffic(w.stages());
  return split
    ? `traffic as last set: ${describeSplit(split)}`
    : "traffic was never moved off the primary by this deployment";
}
