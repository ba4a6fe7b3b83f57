/**
 * The bot token scopes Kanaria needs: exactly `oauth_config.scopes.bot` of manifest.yml (and
 * manifest.socket.yml); test/slack/manifest.test.ts keeps the three in step. `check-config --online`
 * compares a token's granted scopes with this list.
 */
export const REQUIRED_BOT_SCOPES: readonly string[] = [
  "commands",
  "chat:write",
  "files:write",
  "app_mentions:read",
  "usergroups:read",
];
