/**
 * Client traffic per app, in closed form: over a stretch of time in which the world does not change,
 * requests ~ Poisson(rate × duration), split over the app listener's default forward action by weight
 * (multinomial), then over each target group's *healthy* targets, grouped by version; each version's
 * errors ~ Binomial(requests, errorRate). A target group given traffic without a healthy target answers
 * everything with ELB 503s. Each complete minute is written to the metric store:
 *
 * - ALB, per target group (tags `targetgroup:targetgroup/<name>/<id>`, `loadbalancer:app/<name>/<id>`,
 *   `hostname:<dns>`, `app:<app>`, `env:<env>`, `region:<region>`): `aws.applicationelb.request_count`,
 *   `.httpcode_target_2xx`, `.httpcode_target_5xx`, `.httpcode_elb_5xx` (counts; ELB 503s count as
 *   requests of the group they were routed to), `.target_response_time.p50/.p95/.p99/.average` (seconds),
 *   `.healthy_host_count`, `.un_healthy_host_count` (gauges).
 * - APM, per version (tags `service:<app>`, `version:<tag>`, `env:<env>`, default `sandbox`): `trace.http.request.hits`,
 *   `trace.http.request.errors` (counts), `trace.http.request.duration.by.service.50p/.95p/.99p` (seconds).
 *
 * The rate has per-minute lognormal noise drawn from (seed, app, minute) alone, so the noise does not
 * depend on how often the world was stepped. Listener rules are not evaluated: traffic follows the
 * listener's default action.
 */
import type { ElbWorld } from "./elb-world.js";
import { type LatencyComponent, lognormalComponent, sampledQuantile } from "./latency-model.js";
import { type MetricStore, MINUTE_MS, type TagSet } from "./metric-store.js";
import { hashString, SeededRandom } from "./seeded-random.js";
import type { VersionProfile } from "./version-profiles.js";
import type { TargetGroupRecord } from "./world-types.js";

export interface AppTraffic {
  app: string;
  listenerArn: string;
  requestsPerSecond: number;
  /** Lognormal σ of the per-minute rate multiplier. */
  rpsNoise: number;
  /** The `env:` tag of the app's metrics. */
  env: string;
}

interface VersionCount {
  count: number;
  profile: VersionProfile;
}

interface GroupMinute {
  traffic: AppTraffic;
  tags: TagSet;
  requests: number;
  target5xx: number;
  elb5xx: number;
  served: Map<string, VersionCount>;
}

interface VersionMinute {
  traffic: AppTraffic;
  version: string;
  hits: number;
  errors: number;
  profile: VersionProfile;
}

export class TrafficModel {
  private readonly apps = new Map<string, AppTraffic>();
  private groups = new Map<string, GroupMinute>();
  private versions = new Map<string, VersionMinute>();
  private readonly multipliers = new WeakMap<AppTraffic, { minute: number; value: number }>();
  /** route()'s working arrays (one healthy version per entry), reused across calls. */
  private readonly scratch = {
    versionNames: [] as string[],
    versionCounts: [] as number[],
    versionProfiles: [] as VersionProfile[],
  };

  constructor(
    private readonly elb: ElbWorld,
    private readonly metrics: MetricStore,
    private readonly random: SeededRandom,
    private readonly seed: number,
  ) {}

  bind(traffic: AppTraffic): void {
    this.apps.set(traffic.app, traffic);
  }

  /** Adds the traffic of [fromMs, toMs), which must lie within one minute and one world state. */
  simulate(fromMs: number, toMs: number): void {
    if (toMs <= fromMs) return;
    const minute = Math.floor(fromMs / MINUTE_MS) * MINUTE_MS;
    for (const traffic of this.apps.values()) {
      const listener = this.elb.listeners.get(traffic.listenerArn);
      const forward = listener?.defaultActions.find((a) => a.type === "forward");
      if (!listener || !forward || forward.type !== "forward") continue;
      const rate = traffic.requestsPerSecond * this.multiplier(traffic, minute);
      const total = this.random.poisson((rate * (toMs - fromMs)) / 1000);
      const split = this.random.multinomial(
        total,
        forward.targetGroups.map((g) => g.weight),
      );
      forward.targetGroups.forEach(({ targetGroupArn, weight }, i) => {
        const group = this.elb.targetGroups.get(targetGroupArn);
        if (!group || weight <= 0) return;
        this.route(traffic, listener.loadBalancerArn, group, split[i] ?? 0);
      });
    }
  }

  /** Writes the minute starting at `minuteStartMs` to the metric store and starts a new one. */
  closeMinute(minuteStartMs: number): void {
    for (const [arn, g] of this.groups) {
      this.metrics.add("aws.applicationelb.request_count", g.tags, minuteStartMs, g.requests);
      this.metrics.add("aws.applicationelb.httpcode_target_5xx", g.tags, minuteStartMs, g.target5xx);
      this.metrics.add("aws.applicationelb.httpcode_elb_5xx", g.tags, minuteStartMs, g.elb5xx);
      const served = [...g.served.values()].reduce((sum, v) => sum + v.count, 0);
      this.metrics.add("aws.applicationelb.httpcode_target_2xx", g.tags, minuteStartMs, served - g.target5xx);
      if (served > 0) {
        const mix = [...g.served.values()].map((v) => lognormalComponent(v.profile.latency, v.count));
        for (const [suffix, p] of [
          ["p50", 0.5],
          ["p95", 0.95],
          ["p99", 0.99],
        ] as const) {
          const ms = sampledQuantile(mix, p, served, this.random);
          this.metrics.set(
            `aws.applicationelb.target_response_time.${suffix}`,
            g.tags,
            minuteStartMs,
            ms / 1000,
          );
        }
        this.metrics.set(
          "aws.applicationelb.target_response_time.average",
          g.tags,
          minuteStartMs,
          mean(mix) / 1000,
        );
      }
      const group = this.elb.targetGroups.get(arn);
      if (group) this.writeHostCounts(group, g.tags, minuteStartMs);
    }
    for (const v of this.versions.values()) {
      const tags = { service: v.traffic.app, version: v.version, env: v.traffic.env };
      this.metrics.add("trace.http.request.hits", tags, minuteStartMs, v.hits);
      this.metrics.add("trace.http.request.errors", tags, minuteStartMs, v.errors);
      const mix = [lognormalComponent(v.profile.latency, 1)];
      for (const [suffix, p] of [
        ["50p", 0.5],
        ["95p", 0.95],
        ["99p", 0.99],
      ] as const) {
        const ms = sampledQuantile(mix, p, v.hits, this.random);
        this.metrics.set(`trace.http.request.duration.by.service.${suffix}`, tags, minuteStartMs, ms / 1000);
      }
    }
    this.groups = new Map();
    this.versions = new Map();
    this.touchForwardedGroups();
  }

  /** Drops a partial minute (the world started in the middle of it). */
  discardMinute(): void {
    this.groups = new Map();
    this.versions = new Map();
    this.touchForwardedGroups();
  }

  /** Every group an app currently forwards to with weight > 0 reports this minute, even with no requests. */
  touchForwardedGroups(): void {
    for (const traffic of this.apps.values()) {
      const listener = this.elb.listeners.get(traffic.listenerArn);
      for (const action of listener?.defaultActions ?? []) {
        if (action.type !== "forward") continue;
        for (const { targetGroupArn, weight } of action.targetGroups) {
          const group = this.elb.targetGroups.get(targetGroupArn);
          if (group && listener && weight > 0) this.groupMinute(traffic, listener.loadBalancerArn, group);
        }
      }
    }
  }

  /**
   * Splits a group's requests over its healthy targets' versions and draws their errors. It runs for
   * every app and group on every step of the world, so it reuses scratch arrays instead of allocating
   * per call; the draws are the same, in the same order, as a plain multinomial over the versions in the
   * order their first healthy target appears.
   */
  private route(
    traffic: AppTraffic,
    loadBalancerArn: string,
    group: TargetGroupRecord,
    requests: number,
  ): void {
    const minute = this.groupMinute(traffic, loadBalancerArn, group);
    if (requests === 0) return;
    minute.requests += requests;
    const { versionNames, versionCounts, versionProfiles } = this.scratch;
    let kinds = 0;
    for (const t of group.targets.values()) {
      if (t.state !== "healthy") continue;
      let j = 0;
      while (j < kinds && versionNames[j] !== t.version) j++;
      if (j === kinds) {
        versionNames[j] = t.version;
        versionProfiles[j] = t.profile;
        versionCounts[j] = 0;
        kinds++;
      }
      versionCounts[j] = (versionCounts[j] ?? 0) + 1;
    }
    if (kinds === 0) {
      minute.elb5xx += requests;
      return;
    }
    versionCounts.length = kinds;
    // One version takes everything; the multinomial would not draw for it either.
    const split = kinds === 1 ? undefined : this.random.multinomial(requests, versionCounts);
    for (let i = 0; i < kinds; i++) {
      const n = split ? (split[i] ?? 0) : requests;
      if (n === 0) continue;
      const version = versionNames[i] as string;
      const profile = versionProfiles[i] as VersionProfile;
      const errors = this.random.binomial(n, profile.errorRate);
      minute.target5xx += errors;
      const served = minute.served.get(version);
      if (served) served.count += n;
      else minute.served.set(version, { count: n, profile });
      const key = `${traffic.app}\u0000${version}`;
      const apm = this.versions.get(key);
      if (apm) {
        apm.hits += n;
        apm.errors += errors;
      } else {
        this.versions.set(key, { traffic, version, hits: n, errors, profile });
      }
    }
  }

  private groupMinute(traffic: AppTraffic, loadBalancerArn: string, group: TargetGroupRecord): GroupMinute {
    const existing = this.groups.get(group.arn);
    if (existing) return existing;
    const lb = this.elb.loadBalancers.get(loadBalancerArn);
    const tags: Record<string, string> = {
      targetgroup: `targetgroup/${group.name}/${group.id}`,
      app: traffic.app,
      env: traffic.env,
      region: group.region,
    };
    if (lb) {
      tags.loadbalancer = `app/${lb.name}/${lb.id}`;
      tags.hostname = lb.dnsName;
    }
    const created: GroupMinute = { traffic, tags, requests: 0, target5xx: 0, elb5xx: 0, served: new Map() };
    this.groups.set(group.arn, created);
    return created;
  }

  private writeHostCounts(group: TargetGroupRecord, tags: TagSet, minuteStartMs: number): void {
    let healthy = 0;
    let unhealthy = 0;
    for (const t of group.targets.values()) {
      if (t.state === "healthy") healthy++;
      else if (t.state === "unhealthy") unhealthy++;
    }
    this.metrics.set("aws.applicationelb.healthy_host_count", tags, minuteStartMs, healthy);
    this.metrics.set("aws.applicationelb.un_healthy_host_count", tags, minuteStartMs, unhealthy);
  }

  /**
   * exp(σ·z − σ²/2) with z fixed by (seed, app, minute): mean 1, independent of stepping. Remembered
   * for the binding's current minute: the world asks on every step.
   */
  private multiplier(traffic: AppTraffic, minute: number): number {
    if (traffic.rpsNoise <= 0) return 1;
    const known = this.multipliers.get(traffic);
    if (known?.minute === minute) return known.value;
    const z = new SeededRandom((hashString(`${traffic.app}@${minute}`) ^ this.seed) >>> 0).normal();
    const value = Math.exp(traffic.rpsNoise * z - (traffic.rpsNoise * traffic.rpsNoise) / 2);
    if (known) {
      known.minute = minute;
      known.value = value;
    } else {
      this.multipliers.set(traffic, { minute, value });
    }
    return value;
  }
}

function mean(mix: readonly LatencyComponent[]): number {
  const total = mix.reduce((sum, c) => sum + c.weight, 0);
  return mix.reduce((sum, c) => sum + (c.weight / total) * Math.exp(c.mu + (c.sigma * c.sigma) / 2), 0);
}
