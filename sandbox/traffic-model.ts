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
 * Every stretch's counts also go to the metric store's scrape record (scrape-store.ts) as they happen, for
 * the sandbox Prometheus: per target group its target 2xx, target 5xx and ELB 5xx, per version its hits and
 * errors. A group is alive there in every stretch it is forwarded to, a version in every stretch it has a
 * healthy target in such a group (zero counts included). It also holds the world's first, partial minute,
 * which the minute store drops (a scrape would have seen it). The record is derived from the same draws:
 * it changes no draw and no minute value.
 *
 * The rate has per-minute lognormal noise drawn from (seed, app, minute) alone, so the noise does not
 * depend on how often the world was stepped. Listener rules are not evaluated: traffic follows the
 * listener's default action.
 */
import type { ElbWorld } from "./elb-world.js";
import { type LatencyComponent, lognormalComponent, sampledQuantile } from "./latency-model.js";
import { type MetricStore, MINUTE_MS, type TagSet } from "./metric-store.js";
import type { ScrapeCounter } from "./scrape-store.js";
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

/** A target group's counters in the scrape record. */
interface GroupCounters {
  target2xx: ScrapeCounter;
  target5xx: ScrapeCounter;
  elb5xx: ScrapeCounter;
}

/** A version's counters in the scrape record. */
interface VersionCounters {
  hits: ScrapeCounter;
  errors: ScrapeCounter;
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
  /** Scrape-record counters by target group ARN and by app, then version; kept for the world's life. */
  private readonly groupCounters = new Map<string, GroupCounters>();
  private readonly versionCounters = new Map<string, Map<string, VersionCounters>>();
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
        this.route(traffic, listener.loadBalancerArn, group, split[i] ?? 0, fromMs, toMs);
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
   * Splits a group's requests of `[fromMs, toMs)` over its healthy targets' versions and draws their
   * errors. It runs for every app and group on every step of the world, so it reuses scratch arrays
   * instead of allocating per call; the draws are the same, in the same order, as a plain multinomial
   * over the versions in the order their first healthy target appears (none when there are no requests).
   */
  private route(
    traffic: AppTraffic,
    loadBalancerArn: string,
    group: TargetGroupRecord,
    requests: number,
    fromMs: number,
    toMs: number,
  ): void {
    const minute = this.groupMinute(traffic, loadBalancerArn, group);
    const counters = this.groupCountersOf(group.arn, minute.tags);
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
    counters.elb5xx.record(fromMs, toMs, kinds === 0 ? requests : 0);
    if (kinds === 0) {
      minute.elb5xx += requests;
      counters.target2xx.record(fromMs, toMs, 0);
      counters.target5xx.record(fromMs, toMs, 0);
      return;
    }
    versionCounts.length = kinds;
    // One version takes everything; the multinomial would not draw for it either.
    const split =
      kinds === 1 || requests === 0 ? undefined : this.random.multinomial(requests, versionCounts);
    let served2xx = 0;
    let served5xx = 0;
    for (let i = 0; i < kinds; i++) {
      const n = split ? (split[i] ?? 0) : requests;
      const version = versionNames[i] as string;
      const apmCounters = this.versionCountersOf(traffic, version);
      if (n === 0) {
        apmCounters.hits.record(fromMs, toMs, 0);
        apmCounters.errors.record(fromMs, toMs, 0);
        continue;
      }
      const profile = versionProfiles[i] as VersionProfile;
      const errors = this.random.binomial(n, profile.errorRate);
      apmCounters.hits.record(fromMs, toMs, n);
      apmCounters.errors.record(fromMs, toMs, errors);
      served2xx += n - errors;
      served5xx += errors;
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
    counters.target2xx.record(fromMs, toMs, served2xx);
    counters.target5xx.record(fromMs, toMs, served5xx);
  }

  private groupCountersOf(arn: string, tags: TagSet): GroupCounters {
    const known = this.groupCounters.get(arn);
    if (known) return known;
    const scrapes = this.metrics.scrapes;
    const created: GroupCounters = {
      target2xx: scrapes.counter("aws.applicationelb.httpcode_target_2xx", tags),
      target5xx: scrapes.counter("aws.applicationelb.httpcode_target_5xx", tags),
      elb5xx: scrapes.counter("aws.applicationelb.httpcode_elb_5xx", tags),
    };
    this.groupCounters.set(arn, created);
    return created;
  }

  private versionCountersOf(traffic: AppTraffic, version: string): VersionCounters {
    let byVersion = this.versionCounters.get(traffic.app);
    if (!byVersion) {
      byVersion = new Map();
      this.versionCounters.set(traffic.app, byVersion);
    }
    const known = byVersion.get(version);
    if (known) return known;
    const tags = { service: traffic.app, version, env: traffic.env };
    const created: VersionCounters = {
      hits: this.metrics.scrapes.counter("trace.http.request.hits", tags),
      errors: this.metrics.scrapes.counter("trace.http.request.errors", tags),
    };
    byVersion.set(version, created);
    return created;
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
