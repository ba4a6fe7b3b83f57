import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SlackSignedClient } from "../../sandbox/slack-signed-client.js";
import { ALICE, DEPLOYS, SIGNING_SECRET } from "../sandbox/slack-fixture.js";
import { pollFor } from "./serve-child.js";
import { type ServeWorld, STARTED, startServeWorld } from "./serve-world.js";

let world: ServeWorld;

beforeAll(async () => {
  world = await startServeWorld("kanaria-serve-deadline-");
});

afterAll(async () => {
  await world?.close();
});

const serveProcess = () => world.serve();
const read: ServeWorld["read"] = (look) => world.read(look);

describe("kanaria serve's stop deadline", () => {
  it("gives up on a step stuck in AWS: one line, lease released, exit 1; the next start resumes", async () => {
    const serve = serveProcess();
    const [, port] = await serve.line(STARTED, "the started line");
    const client = new SlackSignedClient({
      botUrl: `http://127.0.0.1:${port}/slack/events`,
      signingSecret: SIGNING_SECRET,
      slack: world.slack,
    });
    await client.slashCommand({
      command: "/deploy",
      text: "web v1 first release",
      userId: ALICE,
      channelId: DEPLOYS,
    });
    const id = await pollFor(
      () =>
        read((store) => {
          const d = store.deployments.recent(1)[0];
          return d && store.stages.list(d.id).some((s) => s.status === "RUNNING") ? d.id : undefined;
        }),
      "a deployment with a running stage",
    );
    const removeHang = world.stack.cloud.faults.window({
      service: "ecs",
      kind: "hang",
      from: world.clock.now(),
      until: world.clock.now() + 3_600_000,
    });
    await pollFor(
      () => (world.stack.cloud.faults.listWindows().some((w) => w.hits > 0) ? true : undefined),
      "an ECS call held by the sandbox",
    );

    serve.process.kill("SIGTERM");
    expect(await serve.exited).toBe(1);
    expect(serve.stderr().filter((l) => l !== "")).toEqual([
      expect.stringMatching(
        /^kanaria serve: the stop did not finish within 7 s \(still waiting for the engine's steps in flight\); released the lease and closed the database\. Unfinished deployments resume/,
      ),
    ]);
    expect(read((store) => store.lease.current())).toBeUndefined();
    expect(read((store) => store.deployments.get(id)?.status)).toBe("RUNNING");

    // AWS answers again: the next start resumes the deployment and finishes it.
    removeHang();
    const next = serveProcess();
    try {
      const [, , resumed] = await next.line(STARTED, "the started line");
      expect(resumed).toBe("1");
      const status = await pollFor(
        () =>
          read((store) => {
            const s = store.deployments.get(id)?.status;
            return s === "RUNNING" || s === "PLANNED" ? undefined : s;
          }),
        "the resumed deployment to finish",
        () => world.clock.advance(5_000),
      );
      expect(status).toBe("SUCCESS");
    } finally {
      next.process.kill("SIGTERM");
      expect(await next.exited).toBe(0);
    }
  }, 180_000);
});
