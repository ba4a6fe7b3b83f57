/** `cloudProviders[].config.timeouts` in kanaria.yaml: parsed as durations, checked, with file:line errors. */
import { describe, expect, it } from "vitest";
import { kanariaTree, lines } from "../../config/kanaria-test-tree.js";

const load = kanariaTree();

const withTimeouts = (timeouts: string) =>
  lines(
    "cloudProviders:",
    "  - name: ecs",
    "    type: ECS",
    "    config:",
    "      region: us-east-1",
    `      timeouts: ${timeouts}`,
    "apps: [{dir: ./apps/web}]",
  );

describe("cloud provider timeouts", () => {
  it("reads connect and request as durations", async () => {
    const { result } = await load(withTimeouts("{connect: 500ms, request: 1m}"));
    expect(result.diagnostics).toEqual([]);
    expect(result.config?.cloudProviders[0]?.timeouts).toEqual({ connectMs: 500, requestMs: 60_000 });
  });

  it("leaves out what is not written (the adapter's defaults apply)", async () => {
    const { result } = await load(withTimeouts("{request: 20s}"));
    expect(result.config?.cloudProviders[0]?.timeouts).toEqual({ requestMs: 20_000 });
    const plain = await load(
      lines("cloudProviders:", "  - {name: ecs, type: ECS, config: {region: us-east-1}}"),
    );
    expect(plain.result.config?.cloudProviders[0]?.timeouts).toBeUndefined();
  });

  it.each([
    ["{read: 5s}", "cloudProviders[0].config.timeouts.read", /read/],
    ["{connect: 3}", "cloudProviders[0].config.timeouts.connect", /bare number is not a duration/],
    ["{request: 10m}", "cloudProviders[0].config.timeouts.request", /at most 5m/],
    ["{connect: 10ms}", "cloudProviders[0].config.timeouts.connect", /at least 100ms/],
  ])("%s is an error at its line", async (timeouts, path, words) => {
    const { result } = await load(withTimeouts(timeouts));
    expect(result.config).toBeUndefined();
    const errors = result.diagnostics.filter((d) => d.severity === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe(path);
    expect(errors[0]?.line).toBe(6);
    expect(errors[0]?.file).toMatch(/kanaria\.yaml$/);
    expect(errors[0]?.message).toMatch(words);
  });
});
