import { describe, expect, it } from "vitest";
import { loadYamlDocument, parseYamlDocument } from "../../src/config/load-yaml-document.js";

const YAML = [
  "spec:", // 1
  "  name: web", // 2
  "  input:", // 3
  "    targetGroups:", // 4
  "      primary: {containerName: web, containerPort: 80}", // 5
  "  stages:", // 6
  "    - name: WAIT", // 7
  "      with:", // 8
  "        duration: 1m", // 9
  "  empty:", // 10
  "  query: |", // 11
  "    sum:a{x:{{ .App.Name }}}", // 12
  "    / sum:b{{ .Bad }}", // 13
  "  plain: avg:x{{ .K8s.Namespace }}", // 14
  "",
].join("\n");

describe("parseYamlDocument positions (1-based line:col)", () => {
  const doc = parseYamlDocument("/x/app.yaml", YAML);

  it.each([
    { path: ["spec", "name"], target: "value", line: 2, col: 9 },
    { path: ["spec", "name"], target: "key", line: 2, col: 3 },
    // A block map value points at its key, which is where the section starts.
    { path: ["spec", "input"], target: "value", line: 3, col: 3 },
    // Flow maps point at the value.
    { path: ["spec", "input", "targetGroups", "primary"], target: "value", line: 5, col: 16 },
    {
      path: ["spec", "input", "targetGroups", "primary", "containerPort"],
      target: "value",
      line: 5,
      col: 52,
    },
    { path: ["spec", "stages", 0], target: "value", line: 7, col: 7 },
    { path: ["spec", "stages", 0, "with", "duration"], target: "value", line: 9, col: 19 },
    // Empty values point at their key.
    { path: ["spec", "empty"], target: "value", line: 10, col: 3 },
    // Missing fields resolve to the key of their deepest existing ancestor.
    { path: ["spec", "input", "serviceDefinitionFile"], target: "value", line: 3, col: 3 },
    { path: ["spec", "stages", 0, "with", "timeout"], target: "value", line: 8, col: 7 },
    { path: ["spec", "stages", 5], target: "value", line: 6, col: 3 },
    { path: ["nothing", "here"], target: "value", line: 1, col: 1 },
  ] as const)("$path ($target) → $line:$col", ({ path, target, line, col }) => {
    expect(doc.position(path, target)).toEqual({ file: "/x/app.yaml", line, col });
  });

  it("maps offsets inside a `|` block scalar to the file", () => {
    const query = doc.value as { spec: { query: string } };
    const offset = query.spec.query.indexOf("{{ .Bad }}");
    expect(doc.positionInString(["spec", "query"], offset)).toEqual({
      file: "/x/app.yaml",
      line: 13,
      col: 12,
    });
  });

  it("maps offsets inside a plain scalar to the file", () => {
    const value = doc.value as { spec: { plain: string } };
    const offset = value.spec.plain.indexOf("{{");
    expect(doc.positionInString(["spec", "plain"], offset)).toEqual({
      file: "/x/app.yaml",
      line: 14,
      col: 15,
    });
  });

  it("reports nothing for a clean document", () => {
    expect(doc.diagnostics).toEqual([]);
  });
});

describe("parseYamlDocument problems", () => {
  it("reports a duplicate key at the second key, naming the first line and the field path", () => {
    const doc = parseYamlDocument("/x/a.yaml", "spec:\n  labels:\n    team: a\n    env: prd\n    team: b\n");
    expect(doc.diagnostics).toHaveLength(1);
    const [d] = doc.diagnostics;
    expect(d).toMatchObject({
      file: "/x/a.yaml",
      line: 5,
      col: 5,
      severity: "error",
      path: "spec.labels.team",
    });
    expect(d?.message).toContain('duplicate key "team" (first defined at line 3)');
  });

  it("reports duplicate keys in JSON with positions too", () => {
    const doc = parseYamlDocument("/x/t.json", '{\n  "family": "a",\n  "cpu": 256,\n  "family": "b"\n}\n');
    expect(doc.diagnostics.map((d) => [d.line, d.col, d.path])).toEqual([[4, 3, "family"]]);
  });

  it("gives JSON fields positions like YAML", () => {
    const doc = parseYamlDocument(
      "/x/t.json",
      '{\n  "containerDefinitions": [\n    {"name": "web", "image": "x:1"}\n  ]\n}\n',
    );
    expect(doc.position(["containerDefinitions", 0, "image"])).toEqual({
      file: "/x/t.json",
      line: 3,
      col: 30,
    });
  });

  it.each([
    { text: "a: [1, 2\nb: 3\n", line: 2 },
    { text: "a: b: c\n", line: 1 },
    { text: "a:\n  - b\n  c: 1\n", line: 3 },
    { text: '{"a": 1,,}\n', line: 1 },
  ])("turns a syntax error into a diagnostic instead of throwing ($text)", ({ text, line }) => {
    const doc = parseYamlDocument("/x/bad.yaml", text);
    expect(doc.diagnostics.length).toBeGreaterThan(0);
    expect(doc.diagnostics[0]).toMatchObject({ file: "/x/bad.yaml", severity: "error", line });
    expect(doc.diagnostics[0]?.message).not.toBe("");
  });

  it("treats an empty file as an empty value", () => {
    const doc = parseYamlDocument("/x/empty.yaml", "");
    expect(doc.value).toBeUndefined();
    expect(doc.diagnostics).toEqual([]);
    expect(doc.position(["spec"])).toEqual({ file: "/x/empty.yaml", line: 1, col: 1 });
  });

  it("returns a reason, not an exception, for a missing file", async () => {
    const read = await loadYamlDocument("/definitely/not/here.yaml");
    expect(read).toEqual({ ok: false, reason: "file not found", missing: true });
  });

  it("reads a .json file as strict JSON: a bare word is a syntax error at its line and column", () => {
    const doc = parseYamlDocument("/x/taskdef.json", '{\n  "family": "web",\n  bad\n}\n');
    expect(doc.broken).toBe(true);
    expect(doc.diagnostics).toEqual([
      expect.objectContaining({ file: "/x/taskdef.json", line: 3, col: 3, severity: "error" }),
    ]);
    expect(doc.diagnostics[0]?.message).toMatch(/^not valid JSON: /);
    // The same text is valid YAML (a flow map with a null-valued key `bad`).
    expect(parseYamlDocument("/x/taskdef.yaml", '{\n  "family": "web",\n  bad\n}\n').broken).toBe(false);
  });
});
