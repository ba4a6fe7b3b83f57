/**
 * `check-config --online`'s AWS half, through the real SDK clients over HTTP against the sandbox cloud
 * and moto_server (when it is on PATH; a notice is printed when it is not): a correctly wired app has no
 * errors, and each way of miswiring it is one error line that says what to fix.
 */
import { CreateServiceCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { ModifyListenerCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { type SandboxCloud, startSandboxCloud } from "../../../sandbox/start-sandbox-cloud.js";
import type { AppConfig } from "../../../src/domain/app-config.js";
import { wiringFindings } from "../../../src/domain/app-wiring.js";
import { type AwsClients, createAwsClients } from "../../../src/providers/aws/aws-clients.js";
import { readAppWiring } from "../../../src/providers/aws/read-app-wiring.js";
import { FakeClock } from "../../fakes/fake-clock.js";
import { type AwsWorld, setUpAwsWorld } from "./aws-world-setup.js";
import { type MotoServer, motoAvailable, startMoto } from "./moto-server.js";

let moto: MotoServer | undefined;
let sandbox: SandboxCloud | undefined;

const TARGETS = [
  {
    name: "the sandbox cloud",
    available: () => true,
    async prepare(): Promise<{ endpoint: { ecs: string; elbv2: string }; ec2: string | undefined }> {
      await sandbox?.close();
      sandbox = await startSandboxCloud({ clock: new FakeClock() });
      return { endpoint: { ecs: sandbox.ecsEndpoint, elbv2: sandbox.elbv2Endpoint }, ec2: undefined };
    },
    shutdown: async () => sandbox?.close(),
  },
  {
    name: "moto_server",
    available: motoAvailable,
    async prepare(): Promise<{ endpoint: { ecs: string; elbv2: string }; ec2: string | undefined }> {
      moto ??= await startMoto();
      await moto.reset();
      return { endpoint: { ecs: moto.endpoint, elbv2: moto.endpoint }, ec2: moto.endpoint };
    },
    shutdown: async () => moto?.stop(),
  },
];

const lines = (app: AppConfig, wiring: Awaited<ReturnType<typeof readAppWiring>>) =>
  wiringFindings(app, wiring).map((f) => `${f.severity}: ${f.message}`);

for (const target of TARGETS) {
  const available = target.available();
  if (!available)
    console.warn(`NOTICE: ${target.name} is not on PATH; its check-config --online tests are skipped.`);

  describe.skipIf(!available)(`check-config --online's AWS wiring on ${target.name}`, () => {
    let clients: AwsClients;
    let world: AwsWorld;

    afterAll(async () => {
      await target.shutdown();
    });
    beforeEach(async () => {
      const { endpoint, ec2 } = await target.prepare();
      clients = createAwsClients(
        { name: "test", type: "ECS", region: "us-east-1", endpoints: endpoint },
        { credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 2 },
      );
      world = await setUpAwsWorld(clients, ec2 ? { ec2Endpoint: ec2 } : {});
    });

    it("finds nothing to fix in a correctly wired app once its task definition family is registered", async () => {
      expect(lines(world.app, await readAppWiring(clients, world.app))).toEqual([
        'warning: task definition family "web" has no registered revision: the first /deploy registers it',
      ]);
      await clients.ecs.send(
        new RegisterTaskDefinitionCommand({
          ...(world.app.taskDefinition as object),
          family: "web",
          containerDefinitions: [{ name: "web", image: "nginx:1", memory: 256 }],
        }),
      );
      expect(lines(world.app, await readAppWiring(clients, world.app))).toEqual([]);
    });

    it("names a canary target group that does not exist, and the file to fix", async () => {
      const wrong = world.green.replace(/\/[0-9a-f]+$/, "/0123456789abcdef");
      const app: AppConfig = {
        ...world.app,
        input: {
          ...world.app.input,
          targetGroups: {
            ...world.app.input.targetGroups,
            canary: { targetGroupArn: wrong, containerName: "web", containerPort: 80 },
          },
        },
      };
      const found = lines(app, await readAppWiring(clients, app));
      expect(found).toContain(
        `error: the canary target group ${wrong} does not exist: fix targetGroups.canary in ${app.file}`,
      );
    });

    it("reports a listener that forwards to the primary only", async () => {
      await clients.elbv2.send(
        new ModifyListenerCommand({
          ListenerArn: world.listenerArn,
          DefaultActions: [{ Type: "forward", TargetGroupArn: world.blue }],
        }),
      );
      const found = lines(world.app, await readAppWiring(clients, world.app));
      expect(found).toContain(
        "error: no listener default action or rule forwards to exactly the app's target groups (primary + canary): " +
          "Kanaria shifts traffic by the weights of one forward action listing all of them (e.g. primary 100, canary 0)",
      );
      // AWS (and the sandbox) drop the canary group's load balancer once no action forwards to it; moto
      // keeps the association, so this line is only expected where the association is modelled.
      if (target.name !== "moto_server")
        expect(found).toContain(
          `error: the canary target group ${world.green} is not attached to any load balancer: add it to the listener's forward action`,
        );
    });

    it("reports a service that is not on the EXTERNAL deployment controller, and a missing cluster", async () => {
      const cluster = String(world.app.serviceDefinition.cluster);
      const registered = await clients.ecs.send(
        new RegisterTaskDefinitionCommand({
          ...(world.app.taskDefinition as object),
          family: "rolling",
          containerDefinitions: [{ name: "web", image: "nginx:1", memory: 256 }],
        }),
      );
      await clients.ecs.send(
        new CreateServiceCommand({
          cluster,
          serviceName: "rolling",
          taskDefinition: registered.taskDefinition?.taskDefinitionArn,
          desiredCount: 0,
          deploymentController: { type: "ECS" },
        }),
      );
      const rolling: AppConfig = {
        ...world.app,
        serviceDefinition: { ...world.app.serviceDefinition, serviceName: "rolling" },
      };
      expect(lines(rolling, await readAppWiring(clients, rolling))).toContain(
        'error: ECS service "rolling" uses the ECS deployment controller; Kanaria deploys with task sets, which need `deploymentController: {type: EXTERNAL}` (create the service with it)',
      );
      const elsewhere: AppConfig = {
        ...world.app,
        serviceDefinition: { ...world.app.serviceDefinition, cluster: "nowhere" },
      };
      expect(lines(elsewhere, await readAppWiring(clients, elsewhere))[0]).toBe(
        `error: ECS cluster "nowhere" does not exist in this account and region: create it, or fix \`cluster\` in ${elsewhere.input.serviceDefinitionFile}`,
      );
    });
  });
}
