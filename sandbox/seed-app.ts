/**
 * Seeds an app the way a team has it before Kanaria's first canary, directly in the world (no HTTP):
 * a cluster; an EXTERNAL-controller service; target groups `<app>-blue` (primary), `<app>-green`
 * (canary) and `<app>-baseline`; an ALB `<app>-alb` whose listener's default action forwards to blue
 * (weight 100) and green (weight 0), plus baseline (weight 0) when `baseline` is asked for (a target
 * group no listener forwards to cannot take a task set: ECS refuses it). With `initialVersion`, a task
 * definition (family `<app>`, image `sandbox.local/<app>:<version>` unless told otherwise) runs as the
 * PRIMARY task set at 100% on blue, its tasks already RUNNING and healthy. Traffic starts flowing at once.
 * With `createService: false` only the cluster and the load balancing exist, as before a first deploy.
 *
 * The returned ARNs are what `app.pipecd.yaml` (`targetGroups.primary/canary/baseline`) and
 * `kanaria.yaml` need.
 */
import { KanariaError } from "../src/domain/kanaria-error.js";
import { APP_NAME, type SandboxConfig } from "./sandbox-config.js";
import type { SandboxWorld } from "./sandbox-world.js";

export interface SeedAppSpec {
  app: string;
  /** Defaults: the app's entry in the sandbox config, else cluster = service = app. */
  cluster?: string;
  service?: string;
  region?: string;
  desiredCount?: number;
  listenerPort?: number;
  initialVersion?: string;
  containerName?: string;
  containerPort?: number;
  requestsPerSecond?: number;
  rpsNoise?: number;
  baseline?: boolean;
  /** `env:` tag of the app's metrics (default "sandbox"). */
  env?: string;
  /** Task definition family and image repository for `initialVersion` (default: the app name). */
  family?: string;
  imageRepository?: string;
  /** false: no service yet (the first deployment's ECS_SYNC creates it); `initialVersion` is then ignored. */
  createService?: boolean;
}

export interface SeededApp {
  app: string;
  region: string;
  clusterName: string;
  clusterArn: string;
  serviceName: string;
  /** The service's ARN (also when `createService: false`: the ARN it will have). */
  serviceArn: string;
  loadBalancerArn: string;
  loadBalancerDnsName: string;
  listenerArn: string;
  listenerPort: number;
  targetGroups: {
    primary: { name: string; arn: string };
    canary: { name: string; arn: string };
    baseline: { name: string; arn: string };
  };
  containerName: string;
  containerPort: number;
  /** Set when seeded with `initialVersion`. */
  taskDefinitionArn: string | undefined;
  primaryTaskSetArn: string | undefined;
}

export function seedApp(world: SandboxWorld, config: SandboxConfig, spec: SeedAppSpec): SeededApp {
  if (!APP_NAME.test(spec.app)) {
    throw new KanariaError(
      "SANDBOX_SEED",
      `app name "${spec.app}" must be 1–23 lowercase letters, digits or '-'`,
    );
  }
  const fromConfig = config.apps.find((a) => a.name === spec.app);
  const region = spec.region ?? config.region;
  const clusterName = spec.cluster ?? fromConfig?.cluster ?? spec.app;
  const serviceName = spec.service ?? fromConfig?.service ?? spec.app;
  const containerName = spec.containerName ?? fromConfig?.containerName ?? "web";
  const containerPort = spec.containerPort ?? fromConfig?.containerPort ?? 8080;
  const listenerPort = spec.listenerPort ?? fromConfig?.listenerPort ?? 80;
  const baseline = spec.baseline ?? fromConfig?.baseline ?? false;
  const createService = spec.createService ?? fromConfig?.createService ?? true;
  const initialVersion = createService ? (spec.initialVersion ?? fromConfig?.initialVersion) : undefined;
  const family = spec.family ?? fromConfig?.family ?? spec.app;
  const imageRepository = spec.imageRepository ?? fromConfig?.imageRepository ?? `sandbox.local/${spec.app}`;

  world.catchUp();
  const { ecs, elb } = world;
  const cluster = ecs.createCluster(region, clusterName);
  const group = (suffix: string) =>
    elb.createTargetGroup(region, {
      name: `${spec.app}-${suffix}`,
      protocol: "HTTP",
      port: containerPort,
      targetType: "ip",
    });
  const [blue, green, base] = [group("blue"), group("green"), group("baseline")];
  const lb = elb.createLoadBalancer(region, { name: `${spec.app}-alb` });
  const tuples = [
    { TargetGroupArn: blue.arn, Weight: 100 },
    { TargetGroupArn: green.arn, Weight: 0 },
    ...(baseline ? [{ TargetGroupArn: base.arn, Weight: 0 }] : []),
  ];
  const forward = { Type: "forward", ForwardConfig: { TargetGroups: tuples } };
  const listener = elb.createListener(region, {
    loadBalancerArn: lb.arn,
    protocol: "HTTP",
    port: listenerPort,
    defaultActions: [{ ...forward, raw: forward }],
    extra: {},
  });
  if (createService) {
    ecs.createService(
      region,
      {
        cluster: cluster.name,
        serviceName,
        desiredCount: spec.desiredCount ?? fromConfig?.desiredCount ?? 4,
        controller: "EXTERNAL",
        extra: {
          launchType: "FARGATE",
          networkConfiguration: {
            awsvpcConfiguration: { subnets: lb.subnets, securityGroups: [], assignPublicIp: "DISABLED" },
          },
        },
        tags: { "kanaria:sandbox": "seed" },
      },
      `seed:${spec.app}`,
    );
  }

  let taskDefinitionArn: string | undefined;
  let primaryTaskSetArn: string | undefined;
  if (initialVersion !== undefined) {
    const definition = ecs.definitions.register(region, family, {
      family,
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      containerDefinitions: [
        {
          name: containerName,
          image: `${imageRepository}:${initialVersion}`,
          essential: true,
          portMappings: [{ containerPort, protocol: "tcp" }],
        },
      ],
    });
    const taskSet = ecs.createTaskSet(
      region,
      {
        cluster: cluster.name,
        service: serviceName,
        taskDefinition: definition.arn,
        externalId: "sandbox-seed",
        scalePercent: 100,
        loadBalancers: [{ targetGroupArn: blue.arn, containerName, containerPort }],
        extra: { launchType: "FARGATE" },
        tags: {},
      },
      `seed-task-set:${spec.app}`,
      { warm: true },
    );
    ecs.updatePrimaryTaskSet(region, cluster.name, serviceName, taskSet.id);
    taskDefinitionArn = definition.arn;
    primaryTaskSetArn = taskSet.arn;
  }

  world.bindTraffic({
    app: spec.app,
    listenerArn: listener.arn,
    requestsPerSecond: spec.requestsPerSecond ?? fromConfig?.requestsPerSecond ?? 50,
    rpsNoise: spec.rpsNoise ?? fromConfig?.rpsNoise ?? 0.1,
    env: spec.env ?? fromConfig?.env ?? "sandbox",
  });

  return {
    app: spec.app,
    region,
    clusterName: cluster.name,
    clusterArn: cluster.arn,
    serviceName,
    serviceArn: world.arns.service(region, cluster.name, serviceName),
    loadBalancerArn: lb.arn,
    loadBalancerDnsName: lb.dnsName,
    listenerArn: listener.arn,
    listenerPort,
    targetGroups: {
      primary: { name: blue.name, arn: blue.arn },
      canary: { name: green.name, arn: green.arn },
      baseline: { name: base.name, arn: base.arn },
    },
    containerName,
    containerPort,
    taskDefinitionArn,
    primaryTaskSetArn,
  };
}
