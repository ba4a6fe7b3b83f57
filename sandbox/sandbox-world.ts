/**
 * One simulated cloud: ECS and ELBv2 state, the tasks' lifecycle, client traffic and the metrics it
 * produces, all driven by one clock. The world advances lazily: `catchUp(now)` runs every scheduled
 * event (task started, target healthy, draining done) in time order, simulating traffic in the stretches
 * between events and closing each minute into the metric store. The servers call it before every
 * request and the metric store before every read, so real and virtual time behave the same.
 *
 * Contract: mutate the world only right after `catchUp()`, so changes happen at the clock's "now".
 */
import type { Clock } from "../src/ports.js";
import { Arns } from "./arns.js";
import { EcsWorld } from "./ecs-world.js";
import { ElbWorld } from "./elb-world.js";
import { type MetricStore, MINUTE_MS } from "./metric-store.js";
import type { SandboxConfig } from "./sandbox-config.js";
import { SeededRandom } from "./seeded-random.js";
import { SimulationQueue } from "./simulation-queue.js";
import { TargetRegistry } from "./target-registry.js";
import { TaskDefinitionRegistry } from "./task-definition-registry.js";
import { TaskScheduler } from "./task-scheduler.js";
import { type AppTraffic, TrafficModel } from "./traffic-model.js";
import type { WorldContext } from "./world-types.js";

export class SandboxWorld {
  readonly ecs: EcsWorld;
  readonly elb: ElbWorld;
  readonly traffic: TrafficModel;
  readonly arns: Arns;
  private readonly queue = new SimulationQueue();
  private time: number;
  /** Minutes before this one are partial (the world started mid-minute) and are not written. */
  private readonly firstFullMinute: number;

  constructor(
    readonly config: SandboxConfig,
    readonly clock: Clock,
    metrics: MetricStore,
  ) {
    this.time = clock.now();
    this.firstFullMinute = Math.ceil(this.time / MINUTE_MS) * MINUTE_MS;
    const random = new SeededRandom(config.seed);
    this.arns = new Arns(config.accountId);
    const ctx: WorldContext = {
      now: () => this.time,
      queue: this.queue,
      ids: random.fork("ids"),
      arns: this.arns,
      config,
    };
    this.elb = new ElbWorld(ctx, new TargetRegistry(ctx));
    const definitions = new TaskDefinitionRegistry(ctx);
    this.ecs = new EcsWorld(ctx, definitions, new TaskScheduler(ctx, definitions, this.elb), this.elb);
    this.traffic = new TrafficModel(this.elb, metrics, random.fork("traffic"), config.seed);
    metrics.onBeforeRead(() => this.catchUp());
  }

  /** The simulation's current time (equals the clock's after `catchUp`). */
  now(): number {
    return this.time;
  }

  /** Sends `traffic.requestsPerSecond` through the listener's default action from now on. */
  bindTraffic(traffic: AppTraffic): void {
    this.catchUp();
    this.traffic.bind(traffic);
    this.traffic.touchForwardedGroups();
  }

  /** Runs the world forward to `nowMs` (default: the clock's now). Never moves backwards. */
  catchUp(nowMs: number = this.clock.now()): void {
    const target = Math.max(nowMs, this.time);
    for (;;) {
      let ran = false;
      for (let run = this.queue.takeDue(this.time); run; run = this.queue.takeDue(this.time)) {
        run();
        ran = true;
      }
      if (ran) this.ecs.refresh();
      if (this.time >= target) return;
      const nextMinute = Math.floor(this.time / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
      const stop = Math.min(this.queue.nextAt() ?? Number.POSITIVE_INFINITY, nextMinute, target);
      this.traffic.simulate(this.time, stop);
      this.time = stop;
      if (stop === nextMinute) {
        const minute = nextMinute - MINUTE_MS;
        if (minute >= this.firstFullMinute) this.traffic.closeMinute(minute);
        else this.traffic.discardMinute();
      }
    }
  }
}
