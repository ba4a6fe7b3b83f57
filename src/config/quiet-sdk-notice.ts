/**
 * The AWS SDK prints a 9-line NodeVersionSupportWarning on every run under Node 20: at each client's
 * construction it checks AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED, its documented switch.
 * Kanaria's README states which Node versions it supports; the SDK's notice is not for Kanaria's users.
 * Here because only config/ touches the environment. An explicit value a user set is kept.
 */
export function quietAwsSdkNodeNotice(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
}
