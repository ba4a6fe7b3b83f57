/**
 * Puts the deployed version into a task definition (DESIGN §4): if the definition mentions
 * `{{ .Version }}` anywhere, every mention is rendered; otherwise the image tag of the container named
 * by `targetGroups.primary.containerName` is replaced. Pure; the version has already been checked
 * against the Docker tag grammar.
 */
import { KanariaError } from "./kanaria-error.js";

const VERSION_TEMPLATE = /\{\{\s*\.Version\s*\}\}/g;

export function renderTaskDefinition(
  definition: Record<string, unknown>,
  version: string,
  containerName: string | undefined,
): Record<string, unknown> {
  const text = JSON.stringify(definition);
  if (VERSION_TEMPLATE.test(text)) {
    return JSON.parse(text.replace(VERSION_TEMPLATE, version)) as Record<string, unknown>;
  }
  const containers = definition.containerDefinitions;
  if (!Array.isArray(containers) || containers.length === 0) {
    throw new KanariaError("TASK_DEFINITION_INVALID", "the task definition has no containerDefinitions");
  }
  const index =
    containerName === undefined
      ? 0
      : containers.findIndex(
          (c) => typeof c === "object" && c !== null && (c as { name?: unknown }).name === containerName,
        );
  if (index < 0) {
    throw new KanariaError(
      "TASK_DEFINITION_INVALID",
      `no container named "${containerName}" in the task definition`,
    );
  }
  const container = containers[index] as Record<string, unknown>;
  const image = typeof container.image === "string" ? container.image : "";
  if (image === "")
    throw new KanariaError("TASK_DEFINITION_INVALID", `container "${container.name}" has no image`);
  const rendered = containers.map((c, i) =>
    i === index ? { ...container, image: withTag(image, version) } : c,
  );
  return { ...definition, containerDefinitions: rendered };
}

/** `repo/name:tag@sha256:…` → `repo/name:<version>`; a registry port (`host:5000/x`) is not a tag. */
export function withTag(image: string, version: string): string {
  const withoutDigest = image.split("@")[0] ?? image;
  const slash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.lastIndexOf(":");
  const repository = colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
  return `${repository}:${version}`;
}
