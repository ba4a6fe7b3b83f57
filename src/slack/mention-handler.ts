/**
 * Questions to `@kanaria`, answered in the thread where they were asked: "history web", "status",
 * "who deployed web last", "what is running in web". Asked inside a deployment's thread without an
 * app, the question is about that deployment's app. Pure parsing (`parseQuestion`) plus store reads.
 */
import { unknownApp } from "../domain/refusal.js";
import type { MessagePayload } from "../views/block-kit.js";
import * as replies from "../views/command-replies.js";
import { historyList, lastDeployment } from "../views/history-list.js";
import { refusalReply } from "../views/refusal-replies.js";
import { threadLink } from "./read-snapshot.js";
import type { SlackContext } from "./slack-context.js";
import { statusReply } from "./status-reply.js";

export type Question =
  | { kind: "history"; app: string | undefined }
  | { kind: "status"; app: string | undefined }
  | { kind: "last"; app: string | undefined }
  | { kind: "help" };

/** Mentions (`<@U123>`) removed, lower-cased, punctuation at the end dropped. */
function normalise(text: string): string {
  return text
    .replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, " ")
    .replace(/[?!.]+\s*$/, "")
    .trim()
    .replace(/\s+/g, " ");
}

export function parseQuestion(text: string): Question {
  const q = normalise(text);
  let m = /^(?:show )?history(?: of| for)? ?(\S+)?$/i.exec(q);
  if (m) return { kind: "history", app: m[1] };
  m = /^who (?:deployed|shipped|released)(?: (?!last\b)(\S+?))?(?: last(?: time)?)?$/i.exec(q);
  if (m) return { kind: "last", app: m[1] };
  m = /^what(?:'s| is) (?:running|live|deployed)(?: (?:in|on|for) (\S+))?$/i.exec(q);
  if (m) return { kind: "status", app: m[1] };
  m = /^status(?: of| for)? ?(\S+)?$/i.exec(q);
  if (m) return { kind: "status", app: m[1] };
  // Anything else (including "help") gets the list of questions I understand.
  return { kind: "help" };
}

export interface Mention {
  text: string;
  user: string;
  channel: string;
  /** The thread the mention was posted in, if any. */
  threadTs: string | undefined;
}

export function answerMention(ctx: SlackContext, mention: Mention): MessagePayload {
  const question = parseQuestion(mention.text);
  if (question.kind === "help") return replies.mentionHelp();
  const inThread = mention.threadTs
    ? ctx.store.slackThreads.byRoot(mention.channel, mention.threadTs)
    : undefined;
  const threadApp = inThread ? ctx.store.deployments.get(inThread.deploymentId)?.app : undefined;
  const app = question.app ?? threadApp;
  const now = ctx.clock.now();
  if (app !== undefined && !ctx.entries.has(app))
    return refusalReply(unknownApp(app, ctx.entries.keys()), { now });
  switch (question.kind) {
    case "status":
      return statusReply(ctx, app);
    case "history":
    case "last": {
      if (app === undefined)
        return replies.missingArgument(
          "which app",
          `@kanaria ${question.kind === "history" ? "history web" : "who deployed web last"}`,
        );
      const deployments = ctx.store.deployments.history(app, question.kind === "last" ? 1 : 20);
      const links = new Map<string, string>();
      for (const d of deployments) {
        const url = threadLink(ctx.store, d.id, ctx.workspaceUrl());
        if (url) links.set(d.id, url);
      }
      if (question.kind === "history") return historyList(app, deployments, links, now);
      return lastDeployment(app, deployments[0], links, now);
    }
  }
}
