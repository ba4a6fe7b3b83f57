/**
 * The port through which calls to the outside world (AWS, Datadog, Slack) are counted and timed. The
 * clients' wiring (an AWS SDK middleware, a wrapped `fetch`) reports each finished call here; what
 * happens with the observation (Prometheus metrics in `serve`) is the implementation's business.
 */

export type CallOutcome = "ok" | "error";

export interface CallObserver {
  /**
   * One finished call: `service` is "aws.ecs", "aws.elbv2", "datadog" or "slack"; `operation` names the
   * API call (`DescribeServices`, `chat.postMessage`, `/api/v1/query`); `ms` is its real duration,
   * retries included.
   */
  observe(service: string, operation: string, outcome: CallOutcome, ms: number): void;
}

/** Real time for call durations (a measurement, not a decision: no clock port needed). */
export function elapsedSince(startMs: number): number {
  return performance.now() - startMs;
}
