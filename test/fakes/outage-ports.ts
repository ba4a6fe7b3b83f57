/**
 * Wraps the fake cloud's ECS and ALB ports so that calls fail while an outage is on: every method
 * throws the error `failure()` returns, before reaching the cloud (nothing changes during the outage).
 * Tests switch outages on and off, per port, as virtual time goes.
 */
import { KanariaError } from "../../src/domain/kanaria-error.js";
import type { Ecs, LoadBalancer } from "../../src/ports.js";
import type { FakeCloud } from "./fake-cloud.js";

export type OutageFailure = () => Error;

export const serviceUnavailable: OutageFailure = () =>
  new KanariaError("AWS_ServiceUnavailable", "ModifyListener failed: ServiceUnavailable: try later", {
    transient: true,
  });

export const accessDenied: OutageFailure = () =>
  new KanariaError(
    "AWS_AccessDenied",
    "ModifyListener failed: AccessDenied: not authorized to perform elasticloadbalancing:ModifyListener",
    { transient: false },
  );

export class OutagePorts {
  /** The failure ECS calls get now; undefined = ECS answers. */
  ecsDown: OutageFailure | undefined;
  /** The failure ALB calls get now; undefined = the ALB answers. */
  elbDown: OutageFailure | undefined;
  /** Calls that failed, by port. */
  readonly failed = { ecs: 0, elb: 0 };

  readonly ecs: Ecs;
  readonly loadBalancer: LoadBalancer;

  constructor(cloud: FakeCloud) {
    const guard = <T extends object>(target: T, port: "ecs" | "elb"): T =>
      new Proxy(target, {
        get: (obj, key, receiver) => {
          const value = Reflect.get(obj, key, receiver);
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            const down = port === "ecs" ? this.ecsDown : this.elbDown;
            if (down) {
              this.failed[port] += 1;
              return Promise.reject(down());
            }
            return (value as (...a: unknown[]) => unknown).apply(obj, args);
          };
        },
      });
    this.ecs = guard<Ecs>(cloud, "ecs");
    this.loadBalancer = guard<LoadBalancer>(cloud, "elb");
  }

  down(failure: OutageFailure | undefined): void {
    this.ecsDown = failure;
    this.elbDown = failure;
  }
}
