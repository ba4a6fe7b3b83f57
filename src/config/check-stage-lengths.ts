/**
 * No stage may be longer than the deployment it runs in: a WAIT `duration`, a WAIT_APPROVAL `timeout`
 * or an ANALYSIS `duration` above `spec.timeout` (default 6h) means the deployment times out and rolls
 * back before that stage could ever finish — an analysis that can never pass, a wait that always rolls
 * back. An error at the stage's option, naming both lengths.
 *
 * A WAIT_APPROVAL without `timeout` gets the 6h default (PipeCD's); it is checked only when written, so
 * that a shorter `spec.timeout` does not turn an untouched default into an error (the deployment's
 * timeout simply ends the wait first).
 */

import type { StageConfig } from "../domain/app-config.js";
import type { DiagnosticSink } from "./diagnostic-sink.js";
import { formatDuration } from "./duration.js";
import { valueAt } from "./field-path.js";
import type { PlacedStage } from "./parse-pipeline.js";

export interface StageLengthsInput {
  stages: readonly PlacedStage[];
  /** The deployment's timeout (ms): `spec.timeout`, or the default. */
  timeoutMs: number;
  /** Whether `spec.timeout` was written (for the message). */
  timeoutGiven: boolean;
}

export function checkStageLengths(input: StageLengthsInput, sink: DiagnosticSink): void {
  const limit = `the deployment timeout ${formatDuration(input.timeoutMs)}${input.timeoutGiven ? " (spec.timeout)" : " (spec.timeout's default)"}`;
  for (const { stage, at } of input.stages) {
    const length = stageLength(stage);
    if (length === undefined || length.ms <= input.timeoutMs) continue;
    const path = [...at.path, "with", length.key];
    if (valueAt(at.doc.value, path) === undefined) continue;
    sink.error(
      at.doc,
      path,
      `${length.what} ${formatDuration(length.ms)} is longer than ${limit}: the deployment would time out and roll back before this stage ends; raise spec.timeout or shorten the stage`,
    );
  }
}

function stageLength(stage: StageConfig): { what: string; key: string; ms: number } | undefined {
  switch (stage.kind) {
    case "ANALYSIS":
      return { what: "the analysis duration", key: "duration", ms: stage.options.durationMs };
    case "WAIT":
      return { what: "the wait", key: "duration", ms: stage.options.durationMs };
    case "WAIT_APPROVAL":
      return { what: "the approval timeout", key: "timeout", ms: stage.options.timeoutMs };
    default:
      return undefined;
  }
}
