/**
 * `kanaria serve`'s Prometheus metrics (prom-client, its own registry: nothing global). Database facts
 * are read at scrape time (store-facts.ts); calls to AWS, Datadog and Slack arrive through the
 * CallObserver port as they finish.
 *
 *   kanaria_deployments{status}                                   gauge, every status (0 included)
 *   kanaria_stage_duration_seconds{kind,status}                   histogram of finished stages
 *   kanaria_analysis_verdicts_total{verdict}                      counter of analysis ticks
 *   kanaria_external_calls_total{service,operation,outcome}       counter
 *   kanaria_external_call_duration_seconds{service,operation,outcome}  histogram
 *   kanaria_lease_holder{holder}                                  gauge: 1 when this process holds the lease
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { DEPLOYMENT_STATUSES } from "../domain/status.js";
import type { CallObserver, CallOutcome } from "./call-observer.js";
import type { StoreFacts } from "./store-facts.js";

/** Stages run from seconds (a traffic switch) to hours (an approval wait). */
const STAGE_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600];
/** API calls: tens of ms normally, seconds when throttled or retried, up to the clients' timeouts. */
const CALL_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40];

export class ServeMetrics implements CallObserver {
  readonly registry = new Registry();
  private readonly calls: Counter<"service" | "operation" | "outcome">;
  private readonly callSeconds: Histogram<"service" | "operation" | "outcome">;
  /** Set once the database is open and the lease held; until then only call metrics are exposed. */
  private facts: StoreFacts | undefined;
  private holder: string | undefined;

  constructor() {
    const registers = [this.registry];
    const self = this;
    new Gauge({
      name: "kanaria_deployments",
      help: "Deployments in the database, by status",
      labelNames: ["status"],
      registers,
      collect() {
        if (!self.facts) return;
        const counts = self.facts.deploymentsByStatus();
        for (const status of DEPLOYMENT_STATUSES) this.set({ status }, counts.get(status) ?? 0);
      },
    });
    // Both are fed from the database just before a scrape renders them.
    new Histogram({
      name: "kanaria_stage_duration_seconds",
      help: "How long finished stages ran, by stage kind and final status",
      labelNames: ["kind", "status"],
      buckets: STAGE_BUCKETS,
      registers,
      collect() {
        for (const stage of self.facts?.stagesFinishedSince() ?? []) {
          this.observe({ kind: stage.kind, status: stage.status }, stage.seconds);
        }
      },
    });
    new Counter({
      name: "kanaria_analysis_verdicts_total",
      help: "Analysis ticks by verdict (PASS, FAIL, NO_DATA, ERROR, DATA_ERROR)",
      labelNames: ["verdict"],
      registers,
      collect() {
        for (const verdict of self.facts?.verdictsSince() ?? []) this.inc({ verdict });
      },
    });
    new Gauge({
      name: "kanaria_lease_holder",
      help: "The serve lease's holder: 1 when this process holds it, 0 when another does",
      labelNames: ["holder"],
      registers,
      collect() {
        this.reset();
        const current = self.facts?.leaseHolder();
        if (current !== undefined) this.set({ holder: current }, current === self.holder ? 1 : 0);
      },
    });
    this.calls = new Counter({
      name: "kanaria_external_calls_total",
      help: "Calls to AWS, Datadog and Slack, by service, operation and outcome (ok or error)",
      labelNames: ["service", "operation", "outcome"],
      registers,
    });
    this.callSeconds = new Histogram({
      name: "kanaria_external_call_duration_seconds",
      help: "Latency of calls to AWS, Datadog and Slack, retries included",
      labelNames: ["service", "operation", "outcome"],
      buckets: CALL_BUCKETS,
      registers,
    });
  }

  /** The database to read at each scrape, and this process's lease holder id. */
  attach(facts: StoreFacts, holder: string): void {
    this.facts = facts;
    this.holder = holder;
  }

  observe(service: string, operation: string, outcome: CallOutcome, ms: number): void {
    const labels = { service, operation, outcome };
    this.calls.inc(labels);
    this.callSeconds.observe(labels, ms / 1000);
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
