/**
 * The sandbox's own config (YAML or JSON): which apps exist and how much traffic they get, how each
 * version behaves, how long tasks take to start and pass health checks, how slow the fake AWS API is,
 * and the seed that makes a run reproducible. Every field has a default, so `{}` is a valid config.
 *
 * ```yaml
 * seed: 42
 * region: ap-northeast-1
 * tasks: { startDelayMs: 20000, healthCheckDelayMs: 15000, drainDelayMs: 10000 }
 * apiLatencyMs: { min: 50, max: 150 }
 * apps:
 *   - { name: web, requestsPerSecond: 50, desiredCount: 4, initialVersion: v1.0.0, env: prd }
 * defaultProfile: { errorRate: 0.002, latency: { medianMs: 40, p99Ms: 250 } }
 * versions:
 *   v3-bad: { errorRate: 0.05 }
 *   "*-slow": { latency: { medianMs: 400, p99Ms: 2500 } }
 *   "*-crash": { crashOnStart: true }
 * ```
 */
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { KanariaError } from "../src/domain/kanaria-error.js";

const nonNegativeMs = z.number().int().min(0);

const latencySchema = z
  .strictObject({
    medianMs: z.number().positive(),
    p99Ms: z.number().positive(),
  })
  .refine((l) => l.p99Ms >= l.medianMs, { message: "p99Ms must be at least medianMs" });

/** How one version behaves; fields left out are taken from `defaultProfile`. */
const profileSchema = z.strictObject({
  /** Share of requests answered 5xx by the task itself (0–1). */
  errorRate: z.number().min(0).max(1).optional(),
  /** Lognormal response time given by its median and 99th percentile. */
  latency: latencySchema.optional(),
  /** Tasks start but never pass the target group health check. */
  crashOnStart: z.boolean().optional(),
  /** Per-version overrides of the task timings. */
  startDelayMs: nonNegativeMs.optional(),
  healthCheckDelayMs: nonNegativeMs.optional(),
});

/** Short enough that `<app>-baseline` is a valid target group name (≤ 32 characters). */
export const APP_NAME = /^[a-z][a-z0-9-]{0,22}$/;

const appName = z
  .string()
  .regex(APP_NAME, "must be 1–23 lowercase letters, digits or '-', starting with a letter");

const appSchema = z.strictObject({
  name: appName,
  requestsPerSecond: z.number().min(0).default(50),
  /** Relative per-minute noise of the request rate (lognormal σ). */
  rpsNoise: z.number().min(0).max(2).default(0.1),
  desiredCount: z.number().int().min(0).max(1000).default(4),
  cluster: z.string().min(1).optional(),
  service: z.string().min(1).optional(),
  listenerPort: z.number().int().min(1).max(65535).default(80),
  initialVersion: z.string().min(1).optional(),
  containerName: z.string().min(1).default("web"),
  containerPort: z.number().int().min(1).max(65535).default(8080),
  /** Put `<app>-baseline` in the listener's forward action (weight 0) so baseline task sets get healthy. */
  baseline: z.boolean().default(false),
  /** The `env:` tag on the app's ALB and APM metrics (the seed's queries say `env:prd`). */
  env: z.string().min(1).default("sandbox"),
  /** Task definition family and image repository of `initialVersion` (default: the app name). */
  family: z.string().min(1).optional(),
  imageRepository: z.string().min(1).optional(),
  /** Create the ECS service when seeding (false: leave it to the first deployment's ECS_SYNC). */
  createService: z.boolean().default(true),
});

export const sandboxConfigSchema = z.strictObject({
  seed: z.number().int().default(1),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "must be an AWS region such as ap-northeast-1")
    .default("us-east-1"),
  accountId: z
    .string()
    .regex(/^\d{12}$/, "must be 12 digits")
    .default("123456789012"),
  tasks: z
    .strictObject({
      /** Task created → RUNNING (and registered in its target group). */
      startDelayMs: nonNegativeMs.default(20_000),
      /** Registered → healthy (or unhealthy for a crashing version). */
      healthCheckDelayMs: nonNegativeMs.default(15_000),
      /** Target deregistration delay: draining → gone, and the task STOPPED. */
      drainDelayMs: nonNegativeMs.default(10_000),
      /** How long STOPPED tasks stay visible in DescribeTasks. */
      stoppedRetentionMs: nonNegativeMs.default(3_600_000),
    })
    .prefault({}),
  /** Added to every API call, uniformly in [min, max] (real time, also under a virtual clock). */
  apiLatencyMs: z
    .strictObject({ min: nonNegativeMs.default(0), max: nonNegativeMs.default(0) })
    .refine((r) => r.max >= r.min, { message: "max must be at least min" })
    .prefault({}),
  apps: z.array(appSchema).default([]),
  defaultProfile: profileSchema.prefault({}),
  /** Keyed by image tag; `*` matches any run of characters. Exact names win over patterns. */
  versions: z.record(z.string().min(1), profileSchema).default({}),
});

export type SandboxConfig = z.output<typeof sandboxConfigSchema>;
export type SandboxConfigInput = z.input<typeof sandboxConfigSchema>;
export type SandboxAppConfig = z.output<typeof appSchema>;
export type VersionProfileInput = z.output<typeof profileSchema>;

/** Validates a parsed config object; throws a KanariaError (`SANDBOX_CONFIG`) naming every bad field. */
export function parseSandboxConfig(input: unknown): SandboxConfig {
  const result = sandboxConfigSchema.safeParse(input ?? {});
  if (result.success) {
    const names = result.data.apps.map((a) => a.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate !== undefined) {
      throw new KanariaError("SANDBOX_CONFIG", `sandbox config: apps: "${duplicate}" is listed twice`);
    }
    return result.data;
  }
  const lines = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join(".") || "(root)";
    return `  ${path}: ${issue.message}`;
  });
  throw new KanariaError("SANDBOX_CONFIG", `sandbox config is invalid:\n${lines.join("\n")}`);
}

/** Parses YAML (or JSON, which is YAML) text, then validates it. */
export function parseSandboxConfigText(text: string): SandboxConfig {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new KanariaError("SANDBOX_CONFIG", `sandbox config is not valid YAML: ${String(error)}`, {
      cause: error,
    });
  }
  return parseSandboxConfig(parsed);
}
