/**
 * ARNs shaped like AWS's, so code that parses them (or a human reading a log) sees nothing unusual.
 * ECS uses the long ARN format (`service/<cluster>/<name>`, `task/<cluster>/<id>`).
 */

export class Arns {
  constructor(readonly accountId: string) {}

  cluster(region: string, name: string): string {
    return `arn:aws:ecs:${region}:${this.accountId}:cluster/${name}`;
  }

  service(region: string, cluster: string, name: string): string {
    return `arn:aws:ecs:${region}:${this.accountId}:service/${cluster}/${name}`;
  }

  /** `id` is `ecs-svc/<19 digits>`. */
  taskSet(region: string, cluster: string, service: string, id: string): string {
    return `arn:aws:ecs:${region}:${this.accountId}:task-set/${cluster}/${service}/${id}`;
  }

  task(region: string, cluster: string, id: string): string {
    return `arn:aws:ecs:${region}:${this.accountId}:task/${cluster}/${id}`;
  }

  taskDefinition(region: string, family: string, revision: number): string {
    return `arn:aws:ecs:${region}:${this.accountId}:task-definition/${family}:${revision}`;
  }

  loadBalancer(region: string, name: string, id: string): string {
    return `arn:aws:elasticloadbalancing:${region}:${this.accountId}:loadbalancer/app/${name}/${id}`;
  }

  targetGroup(region: string, name: string, id: string): string {
    return `arn:aws:elasticloadbalancing:${region}:${this.accountId}:targetgroup/${name}/${id}`;
  }

  listener(region: string, lbName: string, lbId: string, id: string): string {
    return `arn:aws:elasticloadbalancing:${region}:${this.accountId}:listener/app/${lbName}/${lbId}/${id}`;
  }

  rule(region: string, lbName: string, lbId: string, listenerId: string, id: string): string {
    return `arn:aws:elasticloadbalancing:${region}:${this.accountId}:listener-rule/app/${lbName}/${lbId}/${listenerId}/${id}`;
  }
}

export interface ParsedArn {
  service: string;
  region: string;
  accountId: string;
  /** Everything after the account, e.g. `service/prod/web`. */
  resource: string;
}

export function parseArn(text: string): ParsedArn | undefined {
  const parts = text.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return undefined;
  const [, , service, region, accountId] = parts;
  if (!service || !region || accountId === undefined) return undefined;
  return { service, region, accountId, resource: parts.slice(5).join(":") };
}
