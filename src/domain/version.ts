/**
 * Versions are image tags, so they must match Docker's tag grammar; anything else would only fail later,
 * inside AWS, after the deployment had started.
 */
const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export type VersionCheck = { ok: true } | { ok: false; reason: string };

export function checkVersion(version: string): VersionCheck {
  if (DOCKER_TAG.test(version)) return { ok: true };
  if (version.length === 0) return { ok: false, reason: "the version is empty" };
  if (version.length > 128)
    return { ok: false, reason: `the version is ${version.length} characters; at most 128` };
  return {
    ok: false,
    reason: `"${version}" is not a valid image tag: use letters, digits, "_", "." and "-", not starting with "." or "-"`,
  };
}
