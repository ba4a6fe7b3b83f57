import {
  type Action,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ModifyListenerCommand,
  ModifyRuleCommand,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { expectAwsError, type Harness, startHarness } from "./sandbox-harness.js";

let h: Harness;
let lbArn: string;
let blue: string;
let green: string;
let listenerArn: string;

beforeEach(async () => {
  h = await startHarness({ config: { tasks: { healthCheckDelayMs: 10_000, drainDelayMs: 5_000 } } });
  const lb = await h.elb.send(
    new CreateLoadBalancerCommand({ Name: "shop-alb", Subnets: ["subnet-1", "subnet-2"] }),
  );
  lbArn = lb.LoadBalancers?.[0]?.LoadBalancerArn ?? "";
  const group = async (name: string) =>
    (
      await h.elb.send(
        new CreateTargetGroupCommand({ Name: name, Protocol: "HTTP", Port: 8080, TargetType: "ip" }),
      )
    ).TargetGroups?.[0]?.TargetGroupArn ?? "";
  blue = await group("shop-blue");
  green = await group("shop-green");
  const listener = await h.elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: lbArn,
      Protocol: "HTTP",
      Port: 80,
      DefaultActions: [{ Type: "forward", TargetGroupArn: blue }],
    }),
  );
  listenerArn = listener.Listeners?.[0]?.ListenerArn ?? "";
});
afterEach(async () => h.close());

function weighted(
  weights: Array<[string, number]>,
  stickiness?: { Enabled: boolean; DurationSeconds?: number },
): Action {
  return {
    Type: "forward",
    ForwardConfig: {
      TargetGroups: weights.map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight })),
      ...(stickiness ? { TargetGroupStickinessConfig: stickiness } : {}),
    },
  };
}

describe("load balancers and target groups", () => {
  test("CreateLoadBalancer returns an active ALB with AWS-shaped ARN and DNS name; Describe by ARN and name", async () => {
    const [lb] =
      (await h.elb.send(new DescribeLoadBalancersCommand({ Names: ["shop-alb"] }))).LoadBalancers ?? [];
    expect(lb?.LoadBalancerArn).toMatch(
      /^arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer\/app\/shop-alb\/[0-9a-f]{16}$/,
    );
    expect(lb?.DNSName).toMatch(/^shop-alb-\d{10}\.us-east-1\.elb\.amazonaws\.com$/);
    expect(lb?.State?.Code).toBe("active");
    expect(lb?.CreatedTime).toBeInstanceOf(Date);
    expect(lb?.AvailabilityZones?.map((z) => z.SubnetId)).toEqual(["subnet-1", "subnet-2"]);
    const byArn = await h.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lbArn] }));
    expect(byArn.LoadBalancers?.[0]?.LoadBalancerName).toBe("shop-alb");
    await expectAwsError(
      h.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [`${lbArn}0`] })),
      "LoadBalancerNotFoundException",
    );
  });

  test("DescribeTargetGroups by ARNs and by load balancer, with the load balancers that route to each", async () => {
    const byArns = await h.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [blue, green] }));
    expect(byArns.TargetGroups?.map((g) => [g.TargetGroupName, g.LoadBalancerArns])).toEqual([
      ["shop-blue", [lbArn]],
      ["shop-green", []],
    ]);
    expect(byArns.TargetGroups?.[0]).toMatchObject({
      Port: 8080,
      TargetType: "ip",
      HealthCheckPort: "traffic-port",
    });
    const byLb = await h.elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lbArn }));
    expect(byLb.TargetGroups?.map((g) => g.TargetGroupName)).toEqual(["shop-blue"]);
    await expectAwsError(
      h.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [`${blue}0`] })),
      "TargetGroupNotFoundException",
    );
  });
});

describe("listeners", () => {
  test("a plain TargetGroupArn forward is stored as one group of weight 1, stickiness off", async () => {
    const [listener] =
      (await h.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }))).Listeners ?? [];
    expect(listener?.Port).toBe(80);
    expect(listener?.DefaultActions).toEqual([
      {
        Type: "forward",
        TargetGroupArn: blue,
        ForwardConfig: {
          TargetGroups: [{ TargetGroupArn: blue, Weight: 1 }],
          TargetGroupStickinessConfig: { Enabled: false },
        },
      },
    ]);
  });

  test("ModifyListener replaces the weights, keeps port and protocol, and returns what it stored", async () => {
    const out = await h.elb.send(
      new ModifyListenerCommand({
        ListenerArn: listenerArn,
        DefaultActions: [
          weighted(
            [
              [blue, 80],
              [green, 20],
            ],
            { Enabled: true, DurationSeconds: 600 },
          ),
        ],
      }),
    );
    const expected = [
      {
        Type: "forward",
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: blue, Weight: 80 },
            { TargetGroupArn: green, Weight: 20 },
          ],
          TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 600 },
        },
      },
    ];
    expect(out.Listeners?.[0]?.DefaultActions).toEqual(expected);
    const read = await h.elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }));
    expect(read.Listeners?.[0]).toMatchObject({ Port: 80, Protocol: "HTTP", DefaultActions: expected });
    const green2 = await h.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [green] }));
    expect(green2.TargetGroups?.[0]?.LoadBalancerArns).toEqual([lbArn]);

    // The default rule shows the same actions.
    const rules = await h.elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    expect(rules.Rules?.at(-1)).toMatchObject({ IsDefault: true, Priority: "default", Actions: expected });
  });

  test("weights are validated as ELBv2 does", async () => {
    await expectAwsError(
      h.elb.send(
        new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: [weighted([[blue, 1000]])] }),
      ),
      "ValidationError",
    );
    await expectAwsError(
      h.elb.send(
        new ModifyListenerCommand({
          ListenerArn: listenerArn,
          DefaultActions: [
            {
              ...weighted([
                [blue, 50],
                [green, 50],
              ]),
              TargetGroupArn: blue,
            },
          ],
        }),
      ),
      "ValidationError",
    );
    await expectAwsError(
      h.elb.send(
        new ModifyListenerCommand({
          ListenerArn: listenerArn,
          DefaultActions: [weighted([[`${blue}0`, 1]])],
        }),
      ),
      "TargetGroupNotFoundException",
    );
    await expectAwsError(
      h.elb.send(new DescribeListenersCommand({ ListenerArns: [`${listenerArn}0`] })),
      "ListenerNotFoundException",
    );
  });

  test("a target group serving one load balancer cannot be added to another", async () => {
    const other = await h.elb.send(new CreateLoadBalancerCommand({ Name: "other-alb" }));
    await expectAwsError(
      h.elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: other.LoadBalancers?.[0]?.LoadBalancerArn ?? "",
          Port: 80,
          DefaultActions: [{ Type: "forward", TargetGroupArn: blue }],
        }),
      ),
      "TargetGroupAssociationLimitException",
    );
  });
});

describe("rules", () => {
  test("create, describe (by listener: by priority, default last; by ARN), modify, delete", async () => {
    const condition = { Field: "path-pattern", PathPatternConfig: { Values: ["/api/*"] } };
    const created = await h.elb.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 10,
        Conditions: [condition],
        Actions: [
          weighted(
            [
              [blue, 100],
              [green, 0],
            ],
            { Enabled: true, DurationSeconds: 3600 },
          ),
        ],
      }),
    );
    const ruleArn = created.Rules?.[0]?.RuleArn ?? "";
    expect(ruleArn).toMatch(/:listener-rule\/app\/shop-alb\/[0-9a-f]{16}\/[0-9a-f]{16}\/[0-9a-f]{16}$/);
    const second = await h.elb.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 5,
        Conditions: [{ Field: "host-header", Values: ["admin.example.com"] }],
        Actions: [
          { Type: "fixed-response", FixedResponseConfig: { StatusCode: "403", ContentType: "text/plain" } },
        ],
      }),
    );
    await expectAwsError(
      h.elb.send(
        new CreateRuleCommand({
          ListenerArn: listenerArn,
          Priority: 5,
          Conditions: [condition],
          Actions: [weighted([[blue, 1]])],
        }),
      ),
      "PriorityInUseException",
    );

    const listed = await h.elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    expect(listed.Rules?.map((r) => [r.Priority, r.IsDefault])).toEqual([
      ["5", false],
      ["10", false],
      ["default", true],
    ]);
    expect(listed.Rules?.[0]?.Actions?.[0]?.FixedResponseConfig).toEqual({
      StatusCode: "403",
      ContentType: "text/plain",
    });
    expect(listed.Rules?.[0]?.Conditions).toEqual([{ Field: "host-header", Values: ["admin.example.com"] }]);

    const modified = await h.elb.send(
      new ModifyRuleCommand({
        RuleArn: ruleArn,
        Actions: [
          weighted(
            [
              [blue, 90],
              [green, 10],
            ],
            { Enabled: true, DurationSeconds: 3600 },
          ),
        ],
      }),
    );
    expect(modified.Rules?.[0]?.Conditions).toEqual([condition]);
    expect(modified.Rules?.[0]?.Actions?.[0]?.ForwardConfig).toEqual({
      TargetGroups: [
        { TargetGroupArn: blue, Weight: 90 },
        { TargetGroupArn: green, Weight: 10 },
      ],
      TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 3600 },
    });
    const byArn = await h.elb.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }));
    expect(byArn.Rules?.[0]?.Actions?.[0]?.ForwardConfig?.TargetGroups?.map((g) => g.Weight)).toEqual([
      90, 10,
    ]);

    await h.elb.send(new DeleteRuleCommand({ RuleArn: second.Rules?.[0]?.RuleArn ?? "" }));
    await expectAwsError(
      h.elb.send(new DescribeRulesCommand({ RuleArns: [second.Rules?.[0]?.RuleArn ?? ""] })),
      "RuleNotFoundException",
    );
  });

  test("the default rule can be neither modified nor deleted (use ModifyListener)", async () => {
    const rules = await h.elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    const defaultArn = rules.Rules?.[0]?.RuleArn ?? "";
    const error = await expectAwsError(
      h.elb.send(new ModifyRuleCommand({ RuleArn: defaultArn, Actions: [weighted([[blue, 1]])] })),
      "OperationNotPermittedException",
    );
    expect(error.message).toBe(`Default rule '${defaultArn}' cannot be modified`);
    await expectAwsError(
      h.elb.send(new DeleteRuleCommand({ RuleArn: defaultArn })),
      "OperationNotPermittedException",
    );
  });

  test("a request missing required members is a ValidationError naming them", async () => {
    const error = await expectAwsError(
      h.elb.send(new CreateRuleCommand({ ListenerArn: listenerArn, Conditions: [], Actions: [] } as never)),
      "ValidationError",
    );
    expect(error.message).toContain(
      "Value null at 'priority' failed to satisfy constraint: Member must not be null",
    );
  });
});

describe("deletion", () => {
  test("a target group in use cannot be deleted; deleting the listener (and its rules) frees it", async () => {
    await h.elb.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 1,
        Conditions: [{ Field: "path-pattern", Values: ["/green/*"] }],
        Actions: [{ Type: "forward", TargetGroupArn: green }],
      }),
    );
    await expectAwsError(
      h.elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: green })),
      "ResourceInUseException",
    );
    await h.elb.send(new DeleteListenerCommand({ ListenerArn: listenerArn }));
    await expectAwsError(
      h.elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn })),
      "ListenerNotFoundException",
    );
    await h.elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: green }));
    const left = await h.elb.send(new DescribeTargetGroupsCommand({ Names: ["shop-blue"] }));
    expect(left.TargetGroups?.[0]?.LoadBalancerArns).toEqual([]);
    await expectAwsError(
      h.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [green] })),
      "TargetGroupNotFoundException",
    );
  });
});

describe("targets", () => {
  test("registered targets are initial, then healthy; deregistered ones drain, then disappear", async () => {
    await h.elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: blue,
        Targets: [{ Id: "10.1.0.1" }, { Id: "10.1.0.2", Port: 9090 }],
      }),
    );
    const states = async (arn: string) =>
      (
        (await h.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn })))
          .TargetHealthDescriptions ?? []
      ).map((d) => [d.Target?.Id, d.Target?.Port, d.TargetHealth?.State, d.TargetHealth?.Reason]);
    expect(await states(blue)).toEqual([
      ["10.1.0.1", 8080, "initial", "Elb.InitialHealthChecking"],
      ["10.1.0.2", 9090, "initial", "Elb.InitialHealthChecking"],
    ]);
    await h.clock.advance(10_000);
    expect((await states(blue)).map((s) => s[2])).toEqual(["healthy", "healthy"]);

    await h.elb.send(new DeregisterTargetsCommand({ TargetGroupArn: blue, Targets: [{ Id: "10.1.0.1" }] }));
    expect((await states(blue)).map((s) => s[2])).toEqual(["draining", "healthy"]);
    await h.clock.advance(5_000);
    expect((await states(blue)).map((s) => s[0])).toEqual(["10.1.0.2"]);

    const filtered = await h.elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: blue, Targets: [{ Id: "10.9.9.9" }] }),
    );
    expect(filtered.TargetHealthDescriptions?.[0]?.TargetHealth).toMatchObject({
      State: "unused",
      Reason: "Target.NotRegistered",
    });
  });

  test("targets of a group no listener forwards to are unused", async () => {
    await h.elb.send(new RegisterTargetsCommand({ TargetGroupArn: green, Targets: [{ Id: "10.1.0.3" }] }));
    await h.clock.advance(10_000);
    const out = await h.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: green }));
    expect(out.TargetHealthDescriptions?.[0]?.TargetHealth).toMatchObject({
      State: "unused",
      Reason: "Target.NotInUse",
    });
  });
});
