import { describe, expect, it } from "vitest";
import { renderTaskDefinition, withTag } from "../../src/domain/render-task-definition.js";

describe("version in the task definition", () => {
  it("renders every {{ .Version }} when the definition has one", () => {
    const def = {
      family: "web",
      containerDefinitions: [
        {
          name: "web",
          image: "repo/web:{{ .Version }}",
          environment: [{ name: "VERSION", value: "{{.Version}}" }],
        },
        { name: "sidecar", image: "datadog/agent:7" },
      ],
    };
    expect(renderTaskDefinition(def, "v2", "web")).toEqual({
      family: "web",
      containerDefinitions: [
        { name: "web", image: "repo/web:v2", environment: [{ name: "VERSION", value: "v2" }] },
        { name: "sidecar", image: "datadog/agent:7" },
      ],
    });
  });

  it("otherwise replaces the tag of the primary container only", () => {
    const def = {
      containerDefinitions: [
        { name: "sidecar", image: "datadog/agent:7" },
        { name: "web", image: "123.dkr.ecr.ap-northeast-1.amazonaws.com/nginx:1" },
      ],
    };
    const out = renderTaskDefinition(def, "1.4.2", "web") as {
      containerDefinitions: Array<{ image: string }>;
    };
    expect(out.containerDefinitions.map((c) => c.image)).toEqual([
      "datadog/agent:7",
      "123.dkr.ecr.ap-northeast-1.amazonaws.com/nginx:1.4.2",
    ]);
    expect(def.containerDefinitions[1]?.image).toBe("123.dkr.ecr.ap-northeast-1.amazonaws.com/nginx:1");
  });

  it.each([
    ["nginx", "nginx:v2"],
    ["nginx:1.23-alpine", "nginx:v2"],
    ["registry.local:5000/team/web", "registry.local:5000/team/web:v2"],
    ["registry.local:5000/team/web:old", "registry.local:5000/team/web:v2"],
    ["web@sha256:abcd", "web:v2"],
    ["web:1@sha256:abcd", "web:v2"],
  ])("tags %s as %s", (image, expected) => {
    expect(withTag(image, "v2")).toBe(expected);
  });

  it("says which container is missing", () => {
    expect(() =>
      renderTaskDefinition({ containerDefinitions: [{ name: "api", image: "x:1" }] }, "v2", "web"),
    ).toThrow('no container named "web" in the task definition');
  });
});
