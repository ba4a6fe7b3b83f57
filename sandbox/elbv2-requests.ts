/**
 * The shapes of the ELBv2 requests the sandbox serves, over the nested form of the Query parameters
 * (see query-params.ts): leaves arrive as strings, so numbers and booleans are converted here, and an
 * empty list (`Name=`) is an empty array. Objects are loose so that members the sandbox does not model
 * survive to be echoed back (redirect configs, rule conditions, certificates).
 */
import { z } from "zod";

const int = z.coerce.number().int();
const bool = z.enum(["true", "false"]).transform((v) => v === "true");

function list<Item extends z.ZodType>(item: Item) {
  return z.preprocess((v) => (v === "" ? [] : v), z.array(item));
}

const tags = list(z.looseObject({ Key: z.string().min(1), Value: z.string().optional() }));

const action = z.looseObject({
  Type: z.string(),
  TargetGroupArn: z.string().optional(),
  Order: int.optional(),
  ForwardConfig: z
    .looseObject({
      TargetGroups: list(z.looseObject({ TargetGroupArn: z.string(), Weight: int.optional() })).optional(),
      TargetGroupStickinessConfig: z
        .looseObject({ Enabled: bool.optional(), DurationSeconds: int.optional() })
        .optional(),
    })
    .optional(),
});

const target = z.looseObject({ Id: z.string(), Port: int.optional() });

export const elbv2Requests = {
  CreateLoadBalancer: z.looseObject({
    Name: z.string(),
    Subnets: list(z.string()).optional(),
    SecurityGroups: list(z.string()).optional(),
    Scheme: z.enum(["internet-facing", "internal"]).optional(),
    Type: z.enum(["application"], { message: "only application load balancers are simulated" }).optional(),
    Tags: tags.optional(),
  }),
  DescribeLoadBalancers: z.looseObject({
    LoadBalancerArns: list(z.string()).optional(),
    Names: list(z.string()).optional(),
  }),
  CreateTargetGroup: z.looseObject({
    Name: z.string(),
    Protocol: z.string().optional(),
    ProtocolVersion: z.string().optional(),
    Port: int.optional(),
    VpcId: z.string().optional(),
    TargetType: z.enum(["instance", "ip", "lambda", "alb"]).optional(),
    HealthCheckPath: z.string().optional(),
    HealthCheckPort: z.string().optional(),
    HealthCheckProtocol: z.string().optional(),
    Tags: tags.optional(),
  }),
  DescribeTargetGroups: z.looseObject({
    LoadBalancerArn: z.string().optional(),
    TargetGroupArns: list(z.string()).optional(),
    Names: list(z.string()).optional(),
  }),
  DeleteTargetGroup: z.looseObject({ TargetGroupArn: z.string() }),
  CreateListener: z.looseObject({
    LoadBalancerArn: z.string(),
    Protocol: z.string().optional(),
    Port: int,
    DefaultActions: list(action),
    Tags: tags.optional(),
  }),
  DescribeListeners: z.looseObject({
    LoadBalancerArn: z.string().optional(),
    ListenerArns: list(z.string()).optional(),
  }),
  ModifyListener: z.looseObject({
    ListenerArn: z.string(),
    Port: int.optional(),
    Protocol: z.string().optional(),
    DefaultActions: list(action).optional(),
  }),
  DeleteListener: z.looseObject({ ListenerArn: z.string() }),
  CreateRule: z.looseObject({
    ListenerArn: z.string(),
    Priority: int,
    Conditions: list(z.looseObject({})),
    Actions: list(action),
    Tags: tags.optional(),
  }),
  DescribeRules: z.looseObject({ ListenerArn: z.string().optional(), RuleArns: list(z.string()).optional() }),
  ModifyRule: z.looseObject({
    RuleArn: z.string(),
    Actions: list(action).optional(),
    Conditions: list(z.looseObject({})).optional(),
  }),
  DeleteRule: z.looseObject({ RuleArn: z.string() }),
  RegisterTargets: z.looseObject({ TargetGroupArn: z.string(), Targets: list(target) }),
  DeregisterTargets: z.looseObject({ TargetGroupArn: z.string(), Targets: list(target) }),
  DescribeTargetHealth: z.looseObject({ TargetGroupArn: z.string(), Targets: list(target).optional() }),
  DescribeTags: z.looseObject({ ResourceArns: list(z.string()) }),
};

export type Elbv2OperationName = keyof typeof elbv2Requests;
export type Elbv2Request<Name extends Elbv2OperationName> = z.output<(typeof elbv2Requests)[Name]>;
export type ActionRequest = z.output<typeof action>;

/** Listener members kept as sent and echoed back. */
export const LISTENER_PASS_THROUGH = [
  "SslPolicy",
  "Certificates",
  "AlpnPolicy",
  "MutualAuthentication",
] as const;
