#!/usr/bin/env node
// The image's HEALTHCHECK (installed as bin/kanaria-healthcheck by build.sh): exit 0 when `kanaria serve`'s
// /healthz answers 200, which it does only while the engine's thread answers (src/slack/ack-worker.ts).
// Node's own fetch, because the slim image has no curl. Port: KANARIA_HEALTH_PORT, else 3000 (the
// default slack.port). Socket Mode serves no HTTP, so there is nothing to check: leave the health
// check out of such a task. Installed without the .mjs extension and with no package.json above it, so
// it uses neither import nor top-level await: it runs the same whether Node reads it as CommonJS or ESM.
const port = process.env.KANARIA_HEALTH_PORT ?? "3000";
const url = `http://127.0.0.1:${port}/healthz`;

fetch(url, { signal: AbortSignal.timeout(4000) }).then(
  (response) => {
    if (response.status === 200) process.exit(0);
    console.error(`kanaria-healthcheck: ${url} answered ${response.status}`);
    process.exit(1);
  },
  (error) => {
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, a timeout) is its cause.
    const reason = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    console.error(
      `kanaria-healthcheck: ${url}: ${reason instanceof Error ? reason.message : String(reason)}`,
    );
    process.exit(1);
  },
);
