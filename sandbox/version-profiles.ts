/**
 * Which behaviour a version (an image tag) has: the config's exact entry, else the first `*` pattern that
 * matches, else the default profile. Unset fields fall back to the default profile, then to built-in
 * values: a healthy service with 0.2% errors and a 40 ms median / 250 ms p99 response time.
 */
import { globRegExp } from "./glob-pattern.js";
import type { SandboxConfig, VersionProfileInput } from "./sandbox-config.js";

export interface VersionProfile {
  errorRate: number;
  latency: { medianMs: number; p99Ms: number };
  crashOnStart: boolean;
  startDelayMs: number;
  healthCheckDelayMs: number;
}

const BUILT_IN = { errorRate: 0.002, latency: { medianMs: 40, p99Ms: 250 }, crashOnStart: false };

export function resolveProfile(config: SandboxConfig, version: string): VersionProfile {
  const specific = config.versions[version] ?? matchPattern(config.versions, version) ?? {};
  const base = config.defaultProfile;
  return {
    errorRate: specific.errorRate ?? base.errorRate ?? BUILT_IN.errorRate,
    latency: specific.latency ?? base.latency ?? BUILT_IN.latency,
    crashOnStart: specific.crashOnStart ?? base.crashOnStart ?? BUILT_IN.crashOnStart,
    startDelayMs: specific.startDelayMs ?? base.startDelayMs ?? config.tasks.startDelayMs,
    healthCheckDelayMs:
      specific.healthCheckDelayMs ?? base.healthCheckDelayMs ?? config.tasks.healthCheckDelayMs,
  };
}

function matchPattern(
  versions: Record<string, VersionProfileInput>,
  version: string,
): VersionProfileInput | undefined {
  for (const [pattern, profile] of Object.entries(versions)) {
    if (!pattern.includes("*")) continue;
    if (globRegExp(pattern).test(version)) return profile;
  }
  return undefined;
}

/** The image tag of `image` (`repo/name:tag` or `name@sha256:…`); "latest" when there is none. */
export function imageTag(image: string): string {
  const withoutDigest = image.split("@")[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.indexOf(":", lastSlash + 1);
  return colon >= 0 ? withoutDigest.slice(colon + 1) : "latest";
}
