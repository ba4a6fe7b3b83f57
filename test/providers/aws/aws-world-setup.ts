/**
 * Creates, through the real AWS APIs, what an app deployed by Kanaria needs: an ECS cluster and an
 * EXTERNAL-controller service, an ALB whose listener forwards to a blue (100) and a green (0) target
 * group, and returns a matching AppConfig. Used against moto and the sandbox alike.
 */
import { CreateClusterCommand, CreateServiceCommand, type ECSClient } from "@aws-sdk/client-ecs";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  type ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { AppConfig } from "../../../src/domain/app-config.js";
import { canaryPipeline, toyAppConfig } from "../../fixtures/toy-app.js";

/** Moto needs a real VPC and subnets for an ALB; the sandbox accepts any ids. */
async function ec2Query(endpoint: string, params: Record<string, string>): Promise<string> {
  const body = new URLSearchParams({ ...params, Version: "2016-11-15" });
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization:
        "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0",
    },
    body,
  });
  return response.text();
}

async function network(
  ec2Endpoint: string | undefined,
): Promise<{ vpcId: string; subnets: string[]; securityGroup: string }> {
  if (!ec2Endpoint)
    return { vpcId: "vpc-sandbox", subnets: ["subnet-a", "subnet-b"], securityGroup: "sg-sandbox" };
  const vpc = await ec2Query(ec2Endpoint, { Action: "CreateVpc", CidrBlock: "10.0.0.0/16" });
  const vpcId = /<vpcId>([^<]+)<\/vpcId>/.exec(vpc)?.[1];
  if (!vpcId) throw new Error(`CreateVpc: ${vpc.slice(0, 300)}`);
  // Moto's FARGATE tasks need DNS hostnames on the VPC (as awsvpc tasks on AWS usually have).
  await ec2Query(ec2Endpoint, {
    Action: "ModifyVpcAttribute",
    VpcId: vpcId,
    "EnableDnsHostnames.Value": "true",
  });
  const subnets: string[] = [];
  for (const [cidr, zone] of [
    ["10.0.1.0/24", "us-east-1a"],
    ["10.0.2.0/24", "us-east-1b"],
  ] as const) {
    const subnet = await ec2Query(ec2Endpoint, {
      Action: "CreateSubnet",
      VpcId: vpcId,
      CidrBlock: cidr,
      AvailabilityZone: zone,
    });
    const id = /<subnetId>([^<]+)<\/subnetId>/.exec(subnet)?.[1];
    if (!id) throw new Error(`CreateSubnet: ${subnet.slice(0, 300)}`);
    subnets.push(id);
  }
  const group = await ec2Query(ec2Endpoint, {
    Action: "CreateSecurityGroup",
    GroupName: "web",
    GroupDescription: "web",
    VpcId: vpcId,
  });
  const securityGroup = /<groupId>([^<]+)<\/groupId>/.exec(group)?.[1];
  if (!securityGroup) throw new Error(`CreateSecurityGroup: ${group.slice(0, 300)}`);
  return { vpcId, subnets, securityGroup };
}

export interface AwsWorld {
  app: AppConfig;
  listenerArn: string;
  blue: string;
  green: string;
}

export async function setUpAwsWorld(
  clients: { ecs: ECSClient; elbv2: ElasticLoadBalancingV2Client },
  options: { ec2Endpoint?: string; name?: string; withListener?: boolean } = {},
): Promise<AwsWorld> {
  const name = options.name ?? "web";
  const { vpcId, subnets, securityGroup } = await network(options.ec2Endpoint);
  const lb = await clients.elbv2.send(
    new CreateLoadBalancerCommand({ Name: `${name}-alb`, Subnets: subnets }),
  );
  const loadBalancerArn = lb.LoadBalancers?.[0]?.LoadBalancerArn ?? "";
  const group = async (color: string) =>
    (
      await clients.elbv2.send(
        new CreateTargetGroupCommand({
          Name: `${name}-${color}`,
          Protocol: "HTTP",
          Port: 80,
          VpcId: vpcId,
          TargetType: "ip",
        }),
      )
    ).TargetGroups?.[0]?.TargetGroupArn ?? "";
  const blue = await group("blue");
  const green = await group("green");
  let listenerArn = "";
  if (options.withListener !== false) {
    const listener = await clients.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: loadBalancerArn,
        Protocol: "HTTP",
        Port: 80,
        DefaultActions: [
          {
            Type: "forward",
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: blue, Weight: 100 },
                { TargetGroupArn: green, Weight: 0 },
              ],
              TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 300 },
            },
          },
        ],
      }),
    );
    listenerArn = listener.Listeners?.[0]?.ListenerArn ?? "";
  }
  await clients.ecs.send(new CreateClusterCommand({ clusterName: `${name}-cluster` }));
  const serviceDefinition = {
    cluster: `${name}-cluster`,
    serviceName: name,
    desiredCount: 2,
    deploymentController: { type: "EXTERNAL" },
    launchType: "FARGATE",
    networkConfiguration: {
      awsvpcConfiguration: { subnets, securityGroups: [securityGroup], assignPublicIp: "DISABLED" },
    },
  };
  await clients.ecs.send(new CreateServiceCommand(serviceDefinition as never));
  const app = toyAppConfig({
    name,
    input: {
      serviceDefinitionFile: "servicedef.yaml",
      taskDefinitionFile: "taskdef.yaml",
      targetGroups: {
        primary: { targetGroupArn: blue, containerName: "web", containerPort: 80 },
        canary: { targetGroupArn: green, containerName: "web", containerPort: 80 },
      },
      accessType: "ELB",
    },
    serviceDefinition,
    taskDefinition: {
      family: name,
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      containerDefinitions: [
        {
          name: "web",
          image: "nginx:{{ .Version }}",
          essential: true,
          memory: 256,
          portMappings: [{ containerPort: 80 }],
        },
      ],
    },
    pipeline: canaryPipeline({ waitMs: 60_000, approvalTimeoutMs: 3_600_000 }),
  });
  return { app, listenerArn, blue, green };
}
