/**
 * zod schemas for kanaria.yaml, section by section. Each section is validated on its own so that one
 * broken section does not hide problems in the others. Shapes follow PipeCD's piped config where the two
 * overlap (`cloudProviders`, `analysisProviders`), so entries can be copied across.
 */
import { z } from "zod";
import { boundedDurationMs } from "./duration.js";
import { closedObject } from "./zod-issues.js";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `{file: path}` or `{env: NAME}`; never the secret itself. */
const secretRef = z
  .unknown()
  .transform((value, ctx) => {
    if (typeof value === "string" || typeof value === "number") {
      ctx.addIssue({
        code: "custom",
        message:
          "write {file: <path>} or {env: <VARIABLE>}; secrets are never written into kanaria.yaml itself (the value was not echoed)",
      });
      return z.NEVER;
    }
    return value;
  })
  .pipe(
    closedObject({
      file: z.string().min(1).optional(),
      env: z
        .string()
        .regex(ENV_NAME, "must be an environment variable name such as SLACK_BOT_TOKEN")
        .optional(),
    }).refine((v) => (v.file === undefined) !== (v.env === undefined), {
      message: "give exactly one of file or env",
    }),
  );

const httpUrl = z.url({ protocol: /^https?$/ });

export const slackSchema = closedObject({
  botToken: secretRef.optional(),
  signingSecret: secretRef.optional(),
  appToken: secretRef.optional(),
  apiUrl: httpUrl.optional(),
  /** 0 = any free port (tests). */
  port: z.number().int().min(0).max(65535).optional(),
});

const providerName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be a name made of letters, digits, '.', '_' and '-'");

/** The part every provider entry shares; `config` depends on `type` and is validated afterwards. */
export const providerEnvelope = closedObject({
  name: providerName,
  type: z.string().min(1),
  config: z.unknown().optional(),
});

const awsTimeoutsSchema = closedObject({
  connect: boundedDurationMs({
    minMs: 100,
    maxMs: 60_000,
    tooShort:
      "must be at least 100ms: connect is how long one attempt may take to open a connection to AWS, e.g. 3s",
    tooLong:
      "must be at most 1m: connect is how long one attempt may take to open a connection to AWS, and a longer wait only delays the retry",
  }).optional(),
  request: boundedDurationMs({
    minMs: 1_000,
    maxMs: 300_000,
    tooShort:
      "must be at least 1s: request is how long one AWS call may take to be answered, and slower answers would be cut off, e.g. 10s",
    tooLong:
      "must be at most 5m: request is how long one AWS call may take to be answered, and a longer wait holds a rollback on a dead connection",
  }).optional(),
});

export const ecsProviderConfigSchema = closedObject({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "must be an AWS region such as ap-northeast-1"),
  credentialsFile: z.string().min(1).optional(),
  profile: z.string().min(1).optional(),
  endpoints: closedObject({ ecs: httpUrl.optional(), elbv2: httpUrl.optional() }).optional(),
  /** Bounds on each AWS HTTP attempt; defaults in providers/aws/aws-clients.ts (3s and 10s). */
  timeouts: awsTimeoutsSchema.optional(),
});

const siteName = z
  .string()
  .regex(
    /^[a-z0-9-]+(\.[a-z0-9-]+)+$/,
    "must be a Datadog site host such as datadoghq.com or ap1.datadoghq.com",
  );

export const datadogProviderConfigSchema = closedObject({
  apiKeyFile: z.string().min(1).optional(),
  applicationKeyFile: z.string().min(1).optional(),
  apiKey: secretRef.optional(),
  applicationKey: secretRef.optional(),
  site: siteName.optional(),
  /** PipeCD's name for the site; a full URL here is taken as `baseUrl`. */
  address: z.string().min(1).optional(),
  baseUrl: httpUrl.optional(),
  /** How far before now each query window ends (Datadog ingests late); the provider defaults to 60s. */
  lag: boundedDurationMs({
    minMs: 0,
    maxMs: 3_600_000,
    tooShort: "must not be negative: lag is how long before now each query window ends, e.g. 60s",
    tooLong:
      "must be at most 1h: lag is how long before now each query window ends, and a longer lag judges the canary on stale data",
  }).optional(),
});

export const storeSchema = closedObject({ path: z.string().min(1).optional() });

const SLACK_CHANNEL = /^[CGD][A-Z0-9]{2,}$/;
const SLACK_PRINCIPAL = /^[UWS][A-Z0-9]{2,}$/;

/** Who may do something: a Slack user id or user-group id (deployers, approvers, freeze overriders). */
export const slackPrincipal = z
  .string()
  .regex(
    SLACK_PRINCIPAL,
    "must be a Slack user id (U…/W…) or user group id (S…); display names and @handles are not ids",
  );

/** App names are typed in Slack (`/deploy web v1.2`), so they are single words. */
export const APP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export const appEntrySchema = closedObject({
  name: z
    .string()
    .regex(APP_NAME, "must be one word of letters, digits, '.', '_' or '-' (it is typed in /deploy <app>)")
    .optional(),
  dir: z.string().min(1),
  configFile: z.string().min(1).optional(),
  cloudProvider: z.string().min(1).optional(),
  channels: z
    .array(
      z
        .string()
        .regex(
          SLACK_CHANNEL,
          "must be a Slack channel id such as C0123ABCD; channel names like #deploys change when a channel is renamed",
        ),
    )
    .optional(),
  deployers: z.array(slackPrincipal).optional(),
  approvers: z.array(slackPrincipal).optional(),
  fourEyes: z.boolean().optional(),
});

export const topLevelSchema = closedObject({
  slack: z.unknown().optional(),
  cloudProviders: z.array(z.unknown()).optional(),
  analysisProviders: z.array(z.unknown()).optional(),
  store: z.unknown().optional(),
  analysisTemplateFiles: z.array(z.string().min(1)).optional(),
  apps: z.array(z.unknown()).optional(),
  freezes: z.array(z.unknown()).optional(),
  metrics: z.unknown().optional(),
});

/** Keys people bring from PipeCD's piped config that Kanaria names or handles differently. */
export const TOP_LEVEL_HINTS: Record<string, string> = {
  platformProviders: "is PipeCD's newer name for this section; Kanaria calls it cloudProviders",
};

export const ECS_CONFIG_HINTS: Record<string, string> = {
  roleARN:
    "is not supported by Kanaria; put role_arn/source_profile in the credentials file and name that profile, or use the standard AWS_ROLE_ARN environment",
  tokenFile:
    "is not supported by Kanaria; use the standard AWS_WEB_IDENTITY_TOKEN_FILE environment variable, which the AWS SDK reads itself",
};

export const DATADOG_CONFIG_HINTS: Record<string, string> = {
  apiKeyData:
    "is not supported: Kanaria never takes secrets inline; use apiKeyFile or apiKey: {env: DD_API_KEY}",
  applicationKeyData:
    "is not supported: Kanaria never takes secrets inline; use applicationKeyFile or applicationKey: {env: DD_APP_KEY}",
};

/**
 * `type: CLOUDWATCH`: credentials as `cloudProviders` takes them, or `cloudProvider: <name>` to reuse one
 * entry's region, credentials and ELBv2 endpoint; endpoint overrides for the sandbox and moto.
 */
export const cloudwatchProviderConfigSchema = closedObject({
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "must be an AWS region such as ap-northeast-1")
    .optional(),
  credentialsFile: z.string().min(1).optional(),
  profile: z.string().min(1).optional(),
  cloudProvider: z.string().min(1).optional(),
  endpoints: closedObject({ cloudwatch: httpUrl.optional(), elbv2: httpUrl.optional() }).optional(),
  timeouts: awsTimeoutsSchema.optional(),
  /** How far before now each query window ends; the provider defaults to 2m (see cloudwatch-lag.ts). */
  lag: boundedDurationMs({
    minMs: 0,
    maxMs: 3_600_000,
    tooShort: "must not be negative: lag is how long before now each query window ends, e.g. 2m",
    tooLong:
      "must be at most 1h: lag is how long before now each query window ends, and a longer lag judges the canary on stale data",
  }).optional(),
});
