/**
 * `kanaria check-config --online`: checks the live wiring a valid config points at, read-only, and
 * returns one finding per problem. Slack: the bot token works and has the manifest's scopes. Analysis
 * providers: a small read-only query succeeds with their address, keys or credentials. Each app: its cluster, service (EXTERNAL controller), target groups
 * (existing, one VPC, attached, ip targets for awsvpc), the forward action the stages will weight, and
 * its task definition family. A call that fails is one finding naming what to fix (an access denial
 * names the permission), and the other checks still run.
 */

import { type Env, readSecret } from "../config/read-secret.js";
import type { KanariaConfig, LoadResult } from "../config/types.js";
import { wiringFindings } from "../domain/app-wiring.js";
import type { OnlineFinding } from "../domain/online-finding.js";
import { type Logger, silentLogger } from "../engine/logger.js";
import { systemClock } from "../engine/system-clock.js";
import { createAwsClients } from "../providers/aws/aws-clients.js";
import { readAppWiring } from "../providers/aws/read-app-wiring.js";
import { checkSlackToken } from "../slack/check-slack-token.js";
import { probeAnalysisProviders } from "./probe-analysis-providers.js";

export interface OnlineCheckOptions {
  /** For secrets; undefined: config/ reads the process environment. */
  env?: Env;
  /** Fixed AWS credentials (tests on the sandbox and moto); otherwise each provider's own. */
  awsCredentials?: { accessKeyId: string; secretAccessKey: string };
  /** For the providers' own warnings (default: none). */
  logger?: Logger;
  /** The end of the providers' test window (default: the system clock). */
  now?: number;
  /** Per-call bound for AWS reads, so that a dead endpoint is one finding, not a hang. */
  awsTimeouts?: { connectMs?: number; requestMs?: number };
}

export async function checkOnline(
  loaded: Pick<LoadResult, "apps"> & { config: KanariaConfig },
  options: OnlineCheckOptions = {},
): Promise<OnlineFinding[]> {
  const { config, apps } = loaded;
  const findings: OnlineFinding[] = [];
  findings.push(...(await slackFindings(config, options)));
  findings.push(
    ...(await probeAnalysisProviders(
      config,
      options.logger ?? silentLogger(),
      options.now ?? systemClock.now(),
    )),
  );
  for (const entry of config.apps) {
    const app = apps.get(entry.name);
    const provider = config.cloudProviders.find((p) => p.name === entry.cloudProvider);
    if (!app || !provider) continue;
    const clients = createAwsClients(provider, {
      maxAttempts: 2,
      ...(options.awsCredentials ? { credentials: options.awsCredentials } : {}),
      ...(options.awsTimeouts ? { timeouts: options.awsTimeouts } : {}),
    });
    try {
      findings.push(...wiringFindings(app, await readAppWiring(clients, app)));
    } catch (error) {
      findings.push({ severity: "error", subject: `app ${app.name}`, message: messageOf(error) });
    } finally {
      clients.ecs.destroy();
      clients.elbv2.destroy();
    }
  }
  return findings;
}

async function slackFindings(config: KanariaConfig, options: OnlineCheckOptions): Promise<OnlineFinding[]> {
  const { botToken, appToken, apiUrl } = config.slack;
  if (!botToken)
    return [{ severity: "error", subject: "slack", message: "kanaria.yaml has no slack.botToken to check" }];
  return checkSlackToken({
    botToken: await readSecret(botToken, options.env),
    ...(appToken ? { appToken: await readSecret(appToken, options.env) } : {}),
    ...(apiUrl ? { apiUrl } : {}),
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
