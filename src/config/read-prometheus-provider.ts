/**
 * One `type: PROMETHEUS` entry of kanaria.yaml `analysisProviders`, in PipeCD's piped shape:
 *
 *     - name: prometheus
 *       type: PROMETHEUS
 *       config:
 *         address: https://prometheus.example.com   # path prefix allowed: …/api/prom
 *         usernameFile: /etc/kanaria/prom-user      # PipeCD's basic auth, both or neither
 *         passwordFile: /etc/kanaria/prom-password
 *         bearerTokenFile: /etc/kanaria/prom-token  # Kanaria's addition; not with basic auth
 *         headers: {X-Scope-OrgID: team-a}          # Kanaria's addition, e.g. a Mimir/Cortex tenant
 *         lag: 30s                                  # default 30s (providers/prometheus)
 *
 * Problems are reported with file:line like the Datadog entry's; secret files are registered with the
 * config's secret resolver, so check-config reports a missing or empty one where it is written.
 */
import { z } from "zod";
import { boundedDurationMs } from "./duration.js";
import type { FieldPath } from "./field-path.js";
import type { ProviderContext } from "./read-providers.js";
import type { PrometheusProviderConfig } from "./types.js";
import { closedObject, parseAt, rejectKeys } from "./zod-issues.js";

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Headers Kanaria sets itself, or that carry credentials, which never sit in kanaria.yaml. */
const RESERVED_HEADERS = new Set(["authorization", "accept", "host", "content-length", "content-type"]);

export const prometheusProviderConfigSchema = closedObject({
  address: z.url({
    protocol: /^https?$/,
    error: "must be the server's http(s) URL, such as http://prometheus:9090",
  }),
  usernameFile: z.string().min(1).optional(),
  passwordFile: z.string().min(1).optional(),
  bearerTokenFile: z.string().min(1).optional(),
  /** Names are checked after parsing, where the message can name the header. */
  headers: z
    .record(z.string(), z.string().regex(/^[^\r\n]*$/, "must be a header value on one line"))
    .optional(),
  /** How far before now each query window ends (scrape and rule-evaluation delay); default 30s. */
  lag: boundedDurationMs({
    minMs: 0,
    maxMs: 3_600_000,
    tooShort: "must not be negative: lag is how long before now each query window ends, e.g. 30s",
    tooLong:
      "must be at most 1h: lag is how long before now each query window ends, and a longer lag judges the canary on stale data",
  }).optional(),
});

export const PROMETHEUS_CONFIG_HINTS: Record<string, string> = {
  username: "is not supported: Kanaria never takes credentials inline; use usernameFile",
  password: "is not supported: Kanaria never takes credentials inline; use passwordFile",
  bearerToken: "is not supported: Kanaria never takes credentials inline; use bearerTokenFile",
};

/** The entry's provider config, or undefined after reporting what was wrong. */
export function readPrometheusProvider(
  name: string,
  raw: unknown,
  where: FieldPath,
  ctx: ProviderContext,
): PrometheusProviderConfig | undefined {
  const configPath = [...where, "config"];
  const configAt = { doc: ctx.doc, path: configPath };
  if (raw === undefined) {
    ctx.sink.error(ctx.doc, where, "a PROMETHEUS provider needs config: {address: <the server's URL>}");
    return undefined;
  }
  const config = parseAt(
    prometheusProviderConfigSchema,
    rejectKeys(raw, PROMETHEUS_CONFIG_HINTS, configAt, ctx.sink),
    configAt,
    ctx.sink,
  );
  if (!config) return undefined;
  let ok = true;
  const error = (key: FieldPath, message: string) => {
    ctx.sink.error(ctx.doc, [...configPath, ...key], message);
    ok = false;
  };
  const { usernameFile, passwordFile, bearerTokenFile } = config;
  if ((usernameFile === undefined) !== (passwordFile === undefined)) {
    const missing = usernameFile === undefined ? "usernameFile" : "passwordFile";
    const given = usernameFile === undefined ? "passwordFile" : "usernameFile";
    error([given], `basic auth needs both usernameFile and passwordFile; ${missing} is missing`);
  }
  if (bearerTokenFile !== undefined && (usernameFile !== undefined || passwordFile !== undefined)) {
    error(["bearerTokenFile"], "give either bearerTokenFile or usernameFile/passwordFile, not both");
  }
  for (const header of Object.keys(config.headers ?? {})) {
    if (!HEADER_NAME.test(header)) {
      error(
        ["headers", header],
        `${JSON.stringify(header)} is not an HTTP header name (letters, digits and -, such as X-Scope-OrgID)`,
      );
      continue;
    }
    if (!RESERVED_HEADERS.has(header.toLowerCase())) continue;
    const why =
      header.toLowerCase() === "authorization"
        ? "credentials never sit in kanaria.yaml; use bearerTokenFile or usernameFile/passwordFile"
        : "Kanaria sets it itself";
    error(["headers", header], `header ${header} cannot be set here: ${why}`);
  }
  if (!ok) return undefined;
  const secretFile = (file: string, key: string) =>
    ctx.resolveSecret({ file }, { env: "" }, [...configPath, key]);
  const provider: PrometheusProviderConfig = {
    name,
    type: "PROMETHEUS",
    address: config.address,
    headers: { ...config.headers },
  };
  if (usernameFile !== undefined && passwordFile !== undefined) {
    provider.basicAuth = {
      username: secretFile(usernameFile, "usernameFile"),
      password: secretFile(passwordFile, "passwordFile"),
    };
  }
  if (bearerTokenFile !== undefined) provider.bearerToken = secretFile(bearerTokenFile, "bearerTokenFile");
  if (config.lag !== undefined) provider.lagMs = config.lag;
  return provider;
}
