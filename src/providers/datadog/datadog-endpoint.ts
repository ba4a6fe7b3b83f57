/**
 * Where the Datadog API lives: a site (`datadoghq.com`, `ap1.datadoghq.com`, `us5.datadoghq.com`,
 * `datadoghq.eu`, `ddog-gov.com`, …), which the client turns into `https://api.<site>` through its own
 * server variables, or a full base URL (the sandbox, a proxy) that replaces the server entirely.
 *
 * Sites are not checked against a list: Datadog opens new ones, and the client takes any host.
 */
import { KanariaError } from "../../domain/kanaria-error.js";

export type DatadogEndpoint =
  /** The client's server template `https://{subdomain}.{site}` with `site` set. */
  | { kind: "site"; site: string }
  /** Replaces the client's server; no trailing slash (the client appends `/api/v1/query`). */
  | { kind: "base-url"; url: string };

export const DEFAULT_DATADOG_SITE = "datadoghq.com";

const SITE_HOST = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/;

/**
 * A base URL wins over the site. The site is forgiving about what people paste from the browser:
 * `https://app.datadoghq.eu/` → `datadoghq.eu` (the client adds the `api.` itself).
 * Throws KanariaError DATADOG_INVALID_SITE / DATADOG_INVALID_BASE_URL.
 */
export function resolveDatadogEndpoint(options: {
  site?: string | undefined;
  baseUrl?: string | undefined;
}): DatadogEndpoint {
  if (options.baseUrl !== undefined) return { kind: "base-url", url: normaliseBaseUrl(options.baseUrl) };
  return { kind: "site", site: normaliseSite(options.site ?? DEFAULT_DATADOG_SITE) };
}

/** The API origin the endpoint stands for, for messages and logs. */
export function describeEndpoint(endpoint: DatadogEndpoint): string {
  return endpoint.kind === "site" ? `https://api.${endpoint.site}` : endpoint.url;
}

function normaliseSite(written: string): string {
  const site = written
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, "")
    .replace(/\/+$/, "")
    .replace(/^(app|api)\./, "");
  if (!SITE_HOST.test(site)) {
    throw new KanariaError(
      "DATADOG_INVALID_SITE",
      `Datadog site "${written}" is not a host name such as datadoghq.com or ap1.datadoghq.com`,
    );
  }
  return site;
}

function normaliseBaseUrl(written: string): string {
  let url: URL;
  try {
    url = new URL(written.trim());
  } catch (cause) {
    throw new KanariaError("DATADOG_INVALID_BASE_URL", `Datadog base URL "${written}" is not a URL`, {
      cause,
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new KanariaError("DATADOG_INVALID_BASE_URL", `Datadog base URL "${written}" must be http or https`);
  }
  if (url.search !== "" || url.hash !== "") {
    throw new KanariaError(
      "DATADOG_INVALID_BASE_URL",
      `Datadog base URL "${written}" must not have a query or fragment`,
    );
  }
  // Keep a path prefix (a proxy mounted under /datadog), drop the trailing slash.
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}
