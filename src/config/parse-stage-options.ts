/**
 * The `with:` block of each stage kind, with PipeCD's defaults. PipeCD is lenient here (unknown options
 * are ignored), so unknown keys are warnings; known options are validated strictly.
 */
import { z } from "zod";
import { DEFAULT_NO_DATA_LIMIT, DEFAULT_NO_DATA_SHARE } from "../analysis/analysis-decision.js";
import type { AnalysisMetric } from "../domain/analysis-metric.js";
import type { StageOptionsByKind } from "../domain/app-config.js";
import type { StageKind } from "../domain/stage-kind.js";
import type { DiagnosticSink } from "./diagnostic-sink.js";
import { durationMs } from "./duration.js";
import { isRecord } from "./field-path.js";
import { type MetricContext, parseAnalysisMetric } from "./parse-analysis-metric.js";
import { percentage } from "./percentage.js";
import { type Origin, parseAt, warnUnknownKeys } from "./zod-issues.js";

export const SIX_HOURS_MS = 6 * 3_600_000;

const SLACK_PRINCIPAL = /^[UWS][A-Z0-9]{2,}$/;

const IGNORED_OPTIONS: Record<string, string> = {
  skipOn: "ignored: Kanaria does not skip stages based on commits (skipOn)",
  restartThreshold: "ignored: restartThreshold is a Kubernetes pod-restart setting",
};

const schemas = {
  rollout: z.object({ scale: percentage }),
  traffic: z.object({
    primary: percentage.optional(),
    canary: percentage.optional(),
    baseline: percentage.optional(),
  }),
  wait: z.object({ duration: durationMs }),
  approval: z.object({
    timeout: durationMs.optional(),
    approvers: z
      .array(
        z
          .string()
          .regex(
            SLACK_PRINCIPAL,
            "must be a Slack user id (U…/W…) or user group id (S…); PipeCD usernames are not Slack users",
          ),
      )
      .optional(),
    minApproverNum: z.number().int().min(1).optional(),
  }),
  analysis: z.object({
    duration: durationMs,
    metrics: z.array(z.unknown()).optional(),
    consecutiveErrorLimit: z.number().int().min(1).optional(),
    noDataLimit: z.number().int().min(1).optional(),
    noDataShare: percentage.optional(),
  }),
};

const KNOWN_KEYS: Record<StageKind, readonly string[]> = {
  ECS_SYNC: [],
  ECS_CANARY_ROLLOUT: ["scale"],
  ECS_BASELINE_ROLLOUT: ["scale"],
  ECS_TRAFFIC_ROUTING: ["primary", "canary", "baseline"],
  ECS_PRIMARY_ROLLOUT: [],
  ECS_CANARY_CLEAN: [],
  ECS_BASELINE_CLEAN: [],
  ANALYSIS: [
    "duration",
    "metrics",
    "consecutiveErrorLimit",
    "noDataLimit",
    "noDataShare",
    "logs",
    "https",
    "skipOn",
    "restartThreshold",
  ],
  WAIT: ["duration", "skipOn"],
  WAIT_APPROVAL: ["timeout", "approvers", "minApproverNum", "skipOn"],
  ROLLBACK: [],
};

export type StageContext = Omit<MetricContext, "stageDurationMs">;

/** Options for `kind` from its `with:` block at `at`; undefined when they are invalid (reported). */
export function parseStageOptions<K extends StageKind>(
  kind: K,
  raw: unknown,
  at: Origin,
  ctx: StageContext,
  sink: DiagnosticSink,
): StageOptionsByKind[K] | undefined {
  const value = raw ?? {};
  if (!isRecord(value)) {
    sink.error(at.doc, at.path, "must be a map of stage options");
    return undefined;
  }
  warnUnknownKeys(value, KNOWN_KEYS[kind], at, sink, kind);
  for (const [key, message] of Object.entries(IGNORED_OPTIONS)) {
    if (key in value && KNOWN_KEYS[kind].includes(key))
      sink.warning(at.doc, [...at.path, key], message, "key");
  }
  // Each case returns the options of its own kind; TypeScript cannot narrow K from the switch.
  return parseKnown(kind, value, at, ctx, sink) as StageOptionsByKind[K] | undefined;
}

function parseKnown(
  kind: StageKind,
  value: Record<string, unknown>,
  at: Origin,
  ctx: StageContext,
  sink: DiagnosticSink,
): StageOptionsByKind[StageKind] | undefined {
  switch (kind) {
    case "ECS_SYNC":
    case "ECS_PRIMARY_ROLLOUT":
    case "ECS_CANARY_CLEAN":
    case "ECS_BASELINE_CLEAN":
    case "ROLLBACK":
      return {};
    case "ECS_CANARY_ROLLOUT":
    case "ECS_BASELINE_ROLLOUT": {
      const options = parseAt(schemas.rollout, value, at, sink);
      if (!options) return undefined;
      if (options.scale === 0) {
        sink.error(
          at.doc,
          [...at.path, "scale"],
          "must be above 0: scale is the share of the service's desiredCount to start",
        );
        return undefined;
      }
      return { scale: options.scale };
    }
    case "ECS_TRAFFIC_ROUTING": {
      const options = parseAt(schemas.traffic, value, at, sink);
      if (!options) return undefined;
      const split = normaliseTraffic(options);
      if ("problem" in split) {
        sink.error(at.doc, at.path, split.problem);
        return undefined;
      }
      return split;
    }
    case "WAIT": {
      const options = parseAt(schemas.wait, value, at, sink);
      return options ? { durationMs: options.duration } : undefined;
    }
    case "WAIT_APPROVAL": {
      const options = parseAt(schemas.approval, value, at, sink);
      if (!options) return undefined;
      const approvers = options.approvers ?? [];
      const minApproverNum = options.minApproverNum ?? 1;
      const onlyUsers = approvers.length > 0 && approvers.every((id) => !id.startsWith("S"));
      if (onlyUsers && minApproverNum > new Set(approvers).size) {
        sink.error(
          at.doc,
          [...at.path, "minApproverNum"],
          `${minApproverNum} approvals can never be collected from ${new Set(approvers).size} listed approver(s)`,
        );
        return undefined;
      }
      return { timeoutMs: options.timeout ?? SIX_HOURS_MS, approvers, minApproverNum };
    }
    case "ANALYSIS":
      return parseAnalysisOptions(value, at, ctx, sink);
  }
}

function parseAnalysisOptions(
  value: Record<string, unknown>,
  at: Origin,
  ctx: StageContext,
  sink: DiagnosticSink,
): StageOptionsByKind["ANALYSIS"] | undefined {
  let ok = true;
  for (const kind of ["logs", "https"] as const) {
    const list = value[kind];
    if (list === undefined || list === null) continue;
    if (Array.isArray(list) && list.length === 0) continue;
    sink.error(
      at.doc,
      [...at.path, kind],
      `${kind} analysis is not supported by Kanaria; only metrics are`,
      "key",
    );
    ok = false;
  }
  const options = parseAt(schemas.analysis, value, at, sink);
  if (!options) return undefined;
  const rawMetrics = options.metrics ?? [];
  // With only logs/https given, the error above already says what is wrong.
  if (rawMetrics.length === 0 && ok) {
    sink.error(
      at.doc,
      [...at.path, "metrics"],
      "an ANALYSIS stage needs at least one metric; without one it would pass without checking anything",
    );
    return undefined;
  }
  const metricCtx: MetricContext = { ...ctx, stageDurationMs: options.duration };
  const metrics: AnalysisMetric[] = [];
  for (const [i, raw] of rawMetrics.entries()) {
    const metric = parseAnalysisMetric(
      raw,
      { doc: at.doc, path: [...at.path, "metrics", i] },
      i,
      metricCtx,
      sink,
    );
    if (!metric) {
      ok = false;
      continue;
    }
    // Ticks are stored per metric name: two metrics with one name would overwrite each other's ticks.
    if (metrics.some((m) => m.common.name === metric.common.name)) {
      sink.error(
        at.doc,
        [...at.path, "metrics", i, "name"],
        `two metrics of this stage are named "${metric.common.name}"; give each its own name`,
      );
      ok = false;
    }
    metrics.push(metric);
  }
  if (!ok) return undefined;
  return {
    durationMs: options.duration,
    metrics,
    consecutiveErrorLimit: options.consecutiveErrorLimit ?? 4,
    noDataLimit: options.noDataLimit ?? DEFAULT_NO_DATA_LIMIT,
    noDataShare: options.noDataShare ?? DEFAULT_NO_DATA_SHARE,
  };
}

/**
 * Fills in the unspecified share so the three sum to 100, as PipeCD does for primary/canary: with
 * primary missing it takes the rest; otherwise a missing canary does; baseline never silently gets
 * traffic. No value at all means 100% primary.
 */
export function normaliseTraffic(given: {
  primary?: number | undefined;
  canary?: number | undefined;
  baseline?: number | undefined;
}): { primary: number; canary: number; baseline: number } | { problem: string } {
  const { primary, canary, baseline } = given;
  const sum = (primary ?? 0) + (canary ?? 0) + (baseline ?? 0);
  const described = (["primary", "canary", "baseline"] as const)
    .filter((k) => given[k] !== undefined)
    .map((k) => `${k} ${given[k]}`)
    .join(" + ");
  if (sum > 100)
    return { problem: `traffic shares add up to ${sum}% (${described}); they must not exceed 100` };
  if (primary === undefined) return { primary: 100 - sum, canary: canary ?? 0, baseline: baseline ?? 0 };
  if (canary === undefined) return { primary, canary: 100 - sum, baseline: baseline ?? 0 };
  if (sum !== 100) {
    return {
      problem: `traffic shares add up to ${sum}% (${described}); with primary and canary both given they must add up to 100${baseline === undefined ? " (or give baseline the rest)" : ""}`,
    };
  }
  return { primary, canary, baseline: baseline ?? 0 };
}
