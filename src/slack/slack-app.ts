/**
 * The Bolt app: receives slash commands, button clicks and events over HTTP (`/slack/events`, with
 * `/healthz` beside it) or Socket Mode (when an app token is configured), acks each at once, and hands
 * the work to the handlers. Over HTTP, Bolt's receiver runs on its own thread (ack-thread-receiver.ts)
 * so acks never wait for the engine; it verifies request signatures (forged, or a timestamp more than
 * five minutes from now either way → 401) and turns away bodies that are not a Slack payload (400).
 * Slack retries an event it thinks was lost, a double click sends two clicks, and a captured request
 * can be sent again while its signature is valid: deliveries are deduplicated by their ids here, in the
 * store so that a restart forgets none (delivery-log.ts), and commands by their trigger id too.
 */
import { App, type AppOptions, type ButtonAction } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { Logger } from "../engine/logger.js";
import type { CallObserver } from "../metrics/call-observer.js";
import type { MessagePayload } from "../views/block-kit.js";
import { replyModal } from "../views/reply-modal.js";
import { AckThreadReceiver } from "./ack-thread-receiver.js";
import { handleButton } from "./action-handler.js";
import { boltLogger } from "./bolt-logger.js";
import { boundedFetch, DEFAULT_SLACK_TIMEOUT_MS } from "./bounded-fetch.js";
import { ChannelSendQueue } from "./channel-send-queue.js";
import { handleDeployCommand } from "./command-handler.js";
import { DeliveryLog } from "./delivery-log.js";
import { HomePublisher } from "./home-publisher.js";
import { answerMention } from "./mention-handler.js";
import type { SlackContext } from "./slack-context.js";

export interface SlackAppOptions {
  botToken: string;
  signingSecret: string;
  /** Socket Mode when given; the HTTP receiver otherwise. */
  appToken?: string;
  /** Web API base URL (the sandbox Slack); Slack's own when absent. */
  apiUrl?: string;
  /** The slash command's name as configured in the manifest. */
  command?: string;
  logger: Logger;
  /** Called if the HTTP receiver's thread dies: the bot then receives nothing more from Slack. */
  onReceiverFailure?: (error: Error) => void;
  /** Bound on each Web API call and response-URL post (default 20 s; see bounded-fetch.ts). */
  webTimeoutMs?: number;
  /** Counts and times each Web API call and response-URL post (`serve`'s /metrics). */
  callObserver?: CallObserver;
}

export interface SlackApp {
  app: App;
  client: WebClient;
  queue: ChannelSendQueue;
  home: HomePublisher;
  /** The HTTP receiver; undefined in Socket Mode. */
  receiver: AckThreadReceiver | undefined;
  /** Starts receiving; returns the HTTP port (0 in Socket Mode). */
  start(port: number): Promise<number>;
  stop(): Promise<void>;
}

/** Builds the app around a handler context whose parts (engine, store…) the caller wires. */
export function createSlackApp(
  options: SlackAppOptions,
  context: (parts: { client: WebClient; queue: ChannelSendQueue; home: HomePublisher }) => SlackContext,
): SlackApp {
  const log = options.logger.child({ component: "slack" });
  const timeout = options.webTimeoutMs ?? DEFAULT_SLACK_TIMEOUT_MS;
  // The client's own timeout names the failure; the bounded fetch also covers Bolt's respond().
  const bounded = { timeout, fetch: boundedFetch(timeout, undefined, options.callObserver) };
  const receiver = options.appToken
    ? undefined
    : new AckThreadReceiver({
        signingSecret: options.signingSecret,
        logger: options.logger,
        ...(options.onReceiverFailure ? { onFailure: options.onReceiverFailure } : {}),
      });
  const transport: AppOptions = receiver
    ? { receiver }
    : {
        signingSecret: options.signingSecret,
        socketMode: true,
        appToken: options.appToken as string,
        // apps.connections.open goes to the same Web API as everything else (the sandbox's, in tests).
        installerOptions: {
          clientOptions: { ...bounded, ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}) },
        },
      };
  const app = new App({
    token: options.botToken,
    ...transport,
    clientOptions: {
      ...bounded,
      ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
      // 429s go to the per-channel queue, which waits them out without holding other channels.
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
    },
    logger: boltLogger(options.logger),
    // Ack first, work after: Slack wants an answer within 3 s, and the work never needs to be in it.
    processBeforeResponse: false,
    deferInitialization: true,
  });
  const client = app.client;
  // Defaults to the system clock's sleep; the context's clock is used once it exists.
  let ctx: SlackContext | undefined;
  const queue = new ChannelSendQueue({
    clock: {
      now: () => (ctx ? ctx.clock.now() : Date.now()),
      sleep: (ms, signal) => (ctx ? ctx.clock.sleep(ms, signal) : new Promise((r) => setTimeout(r, ms))),
    },
    logger: options.logger,
    // A thread's messages wait out a long 429 storm rather than being dropped (still finite).
    maxRateLimitPauses: 30,
  });
  const home = new HomePublisher(client, queue, () => ctx, options.logger);
  ctx = context({ client, queue, home });
  const handlers: SlackContext = ctx;
  // The context's parts are read when a delivery arrives, not while the app is built.
  const deliveries = new DeliveryLog({
    first: (key, at, forgetBefore) => handlers.store.slackDeliveries.first(key, at, forgetBefore),
  });
  const command = options.command ?? "/deploy";

  app.command(command, async ({ command: body, ack, respond }) => {
    await ack();
    if (!deliveries.first(`command:${body.trigger_id}`)) return;
    const reply = await handleDeployCommand(handlers, {
      text: body.text,
      user: body.user_id,
      channel: body.channel_id,
      triggerId: body.trigger_id,
    }).catch((error: unknown) => failure(log, error, "command"));
    await respond({ response_type: "ephemeral", ...reply }).catch((error: unknown) =>
      log.warn({ err: error }, "could not answer a command"),
    );
    home.refreshSoon();
  });

  app.action(/^kanaria\./, async ({ ack, body, action, respond }) => {
    await ack();
    if (body.type !== "block_actions" || !("action_id" in action) || action.type !== "button") return;
    const button = action as ButtonAction;
    if (!deliveries.first(`action:${body.trigger_id}:${button.action_ts}`)) return;
    const reply = await handleButton(handlers, {
      actionId: button.action_id,
      value: button.value,
      user: body.user.id,
      triggerId: body.trigger_id,
    }).catch((error: unknown) => failure(log, error, "button"));
    // A click in the App Home tab comes without a response URL: the answer opens as a modal there.
    const answer = !reply
      ? Promise.resolve()
      : respond
        ? respond({ response_type: "ephemeral", replace_original: false, ...reply })
        : client.views.open({ trigger_id: body.trigger_id, view: replyModal(reply) });
    await answer.catch((error: unknown) => log.warn({ err: error }, "could not answer a click"));
    if (body.container?.type === "view") home.refreshSoon();
  });

  app.event("app_mention", async ({ event, body }) => {
    const eventId = (body as { event_id?: string }).event_id ?? `${event.channel}:${event.ts}`;
    if (!deliveries.first(`event:${eventId}`)) return;
    const threadTs = event.thread_ts ?? event.ts;
    const answer = (() => {
      try {
        return answerMention(handlers, {
          text: event.text,
          user: event.user ?? "",
          channel: event.channel,
          threadTs: event.thread_ts,
        });
      } catch (error) {
        return failure(log, error, "mention");
      }
    })();
    queue.enqueue(event.channel, {
      run: () => client.chat.postMessage({ channel: event.channel, thread_ts: threadTs, ...answer }),
      onGiveUp: (error) => log.warn({ err: error }, "could not answer a mention"),
    });
  });

  app.event("app_home_opened", async ({ event, body }) => {
    const eventId = (body as { event_id?: string }).event_id ?? `home:${event.user}:${event.event_ts}`;
    if (!deliveries.first(`event:${eventId}`)) return;
    if (event.tab === undefined || event.tab === "home") home.opened(event.user);
  });

  app.error(async (error) => {
    log.error({ err: error }, "Slack handler failed");
  });

  return {
    app,
    client,
    queue,
    home,
    receiver,
    async start(port) {
      await app.init();
      if (!receiver) {
        await app.start();
        return 0;
      }
      // AckThreadReceiver.start resolves with the port it bound.
      return (await app.start(port)) as unknown as number;
    },
    async stop() {
      await app.stop();
      // Give queued messages a moment (real time: a 429 pause may be long), then give up on the rest.
      await Promise.race([queue.idle(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      await queue.close();
    },
  };
}

function failure(log: Logger, error: unknown, what: string): MessagePayload {
  log.error({ err: error }, `handling a ${what} failed`);
  const text =
    "Sorry, something went wrong on my side while handling this. Check the deployment's thread for its state; the operators' log has the details.";
  return { text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }] };
}
