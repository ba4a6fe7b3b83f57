/**
 * The engine's Notifier for Slack: every timeline event becomes, in the deployment's thread, a redraw of
 * the root message (coalesced — only the latest state is sent), a reply when the event is a transition
 * people should read, and, when an analysis ends or pauses, its figures and a chart.
 *
 * `publish` only enqueues (DESIGN §6): the engine never waits on Slack, so a rollback is never slowed by
 * it, and one busy channel never delays another (one send queue per channel). Jobs read the store when
 * they run, so a job delayed by a rate limit sends the newest state, not a stale one. Each reply is
 * recorded under a stable key once Slack accepted it, so a restarted bot does not post it again.
 */
import type { WebClient } from "@slack/web-api";
import type { AnalysisMetric } from "../domain/analysis-metric.js";
import type { TimelineEvent } from "../domain/deployment.js";
import type { Logger } from "../engine/logger.js";
import type { Clock, DeploymentUpdate, Notifier } from "../ports.js";
import type { Store } from "../store/store.js";
import { analysisReply } from "../views/analysis-reply.js";
import { appNotice } from "../views/app-notice.js";
import type { MessagePayload } from "../views/block-kit.js";
import type { DeploymentSnapshot } from "../views/deployment-snapshot.js";
import { rootMessage } from "../views/root-message.js";
import { stageReply } from "../views/stage-reply.js";
import type { ChannelSendQueue, SendJob } from "./channel-send-queue.js";
import { readSnapshot } from "./read-snapshot.js";

/** Renders one metric of an analysis stage as a PNG (`charts/`); absent = no charts. */
export type AnalysisChartRenderer = (input: {
  snapshot: DeploymentSnapshot;
  stageIndex: number;
  metric: AnalysisMetric;
}) => Promise<{ png: Buffer; filename: string; title: string } | undefined>;

export interface SlackNotifierDeps {
  store: Store;
  client: WebClient;
  queue: ChannelSendQueue;
  clock: Clock;
  logger: Logger;
  /** Where a deployment not asked for from Slack (the CLI) is reported: the app's first channel. */
  channelFor: (app: string) => string | undefined;
  /** The workspace URL from `auth.test`, for thread permalinks. */
  workspaceUrl: () => string | undefined;
  renderChart?: AnalysisChartRenderer;
  /** Called after a deployment's state changed in Slack (App Home refreshes hang off this). */
  onChange?: (deploymentId: string) => void;
}

/** Events after which an analysis stage's figures and chart are posted. */
const ANALYSIS_END = new Set(["STAGE_SUCCEEDED", "STAGE_FAILED", "STAGE_SKIPPED", "STAGE_CANCELLED"]);

export class SlackNotifier implements Notifier {
  private readonly log: Logger;

  constructor(private readonly deps: SlackNotifierDeps) {
    this.log = deps.logger.child({ component: "slack-notifier" });
  }

  publish(update: DeploymentUpdate): void {
    try {
      this.schedule(update);
    } catch (error) {
      // Never let Slack bookkeeping throw into the engine's transition.
      this.log.error({ err: error, deployment: update.deploymentId }, "could not schedule Slack update");
    }
  }

  notice(app: string, message: string): void {
    const channel = this.deps.channelFor(app);
    if (!channel) {
      this.log.warn({ app }, message);
      return;
    }
    const payload = appNotice(app, message);
    this.deps.queue.enqueue(channel, {
      run: async () => {
        await this.deps.client.chat.postMessage({ channel, ...payload, unfurl_links: false });
      },
      onGiveUp: (error) => this.log.warn({ err: error, app }, "app notice not posted"),
    });
  }

  /** Redraws the root of every unfinished deployment (after a restart). */
  resume(): void {
    for (const deployment of this.deps.store.deployments.active()) {
      const channel = this.channelOf(deployment.id, deployment.app);
      if (channel) this.enqueueRoot(deployment.id, channel);
    }
  }

  private schedule(update: DeploymentUpdate): void {
    const { deploymentId, app, eventId } = update;
    const channel = this.channelOf(deploymentId, app);
    if (!channel) return;
    this.enqueueRoot(deploymentId, channel);
    const event = this.deps.store.events.get(eventId);
    if (!event) return;
    this.deps.queue.enqueue(channel, {
      run: () => this.postEventReply(deploymentId, event),
    });
    if (endsAnalysis(event)) {
      const stageIndex = this.analysisStageOf(deploymentId, event);
      if (stageIndex !== undefined) {
        this.deps.queue.enqueue(channel, {
          run: () => this.postAnalysis(deploymentId, stageIndex, event.id),
        });
        // Charts render off the queue: what happens meanwhile (the rollback) is posted before them.
        this.deps.queue.enqueueWhenReady(channel, this.chartUpload(deploymentId, stageIndex, event.id));
      }
    }
  }

  private channelOf(deploymentId: string, app: string): string | undefined {
    const { store } = this.deps;
    const thread = store.slackThreads.get(deploymentId);
    if (thread) return thread.channel;
    const channel = this.deps.channelFor(app);
    return channel
      ? store.slackThreads.ensure(deploymentId, channel, this.deps.clock.now()).channel
      : undefined;
  }

  private enqueueRoot(deploymentId: string, channel: string): void {
    this.deps.queue.enqueue(channel, {
      key: `root:${deploymentId}`,
      run: () => this.syncRoot(deploymentId),
      onDone: () => this.deps.onChange?.(deploymentId),
      onGiveUp: (error) =>
        this.log.warn({ err: error, deployment: deploymentId }, "root message not updated"),
    });
  }

  /** Posts the root message if the thread has none yet, else updates it in place; returns its ts. */
  private async syncRoot(deploymentId: string): Promise<string | undefined> {
    const snapshot = this.snapshot(deploymentId);
    const thread = this.deps.store.slackThreads.get(deploymentId);
    if (!snapshot || !thread) return undefined;
    const payload = rootMessage(snapshot, this.deps.clock.now());
    if (thread.rootTs) {
      await this.deps.client.chat.update({ channel: thread.channel, ts: thread.rootTs, ...payload });
      return thread.rootTs;
    }
    const posted = await this.deps.client.chat.postMessage({
      channel: thread.channel,
      ...payload,
      unfurl_links: false,
      unfurl_media: false,
    });
    if (!posted.ts) throw new Error("chat.postMessage returned no ts");
    this.deps.store.slackThreads.setRoot(deploymentId, posted.ts);
    return posted.ts;
  }

  /** The thread root, posting it first when it is not there yet (its first post may have failed). */
  private async rootTs(deploymentId: string): Promise<string | undefined> {
    return this.deps.store.slackThreads.get(deploymentId)?.rootTs ?? (await this.syncRoot(deploymentId));
  }

  private async postEventReply(deploymentId: string, event: TimelineEvent): Promise<void> {
    const outage = outageKey(event);
    const key = outage ?? `event:${event.id}`;
    const { store } = this.deps;
    const updating = outage !== undefined ? store.slackThreads.postTs(deploymentId, outage) : undefined;
    if (updating === undefined && store.slackThreads.hasPost(deploymentId, key)) return;
    const snapshot = this.snapshot(deploymentId);
    if (!snapshot) return;
    const reply = stageReply(snapshot, event);
    if (!reply) return;
    const thread = store.slackThreads.get(deploymentId);
    if (updating !== undefined && thread) {
      // One message per outage of a rollback: what blocks it now, then that it goes again.
      await this.deps.client.chat.update({
        channel: thread.channel,
        ts: updating,
        text: reply.text,
        blocks: reply.blocks,
      });
      return;
    }
    // The reply's text and blocks already carry the mentions, as Slack mention syntax.
    await this.reply(deploymentId, key, { text: reply.text, blocks: reply.blocks });
  }

  private async postAnalysis(deploymentId: string, stageIndex: number, eventId: number): Promise<void> {
    const snapshot = this.snapshot(deploymentId);
    const stage = snapshot?.stages[stageIndex];
    if (!snapshot || !stage || stage.kind !== "ANALYSIS") return;
    await this.reply(deploymentId, `analysis:${stageIndex}:${eventId}`, analysisReply(snapshot, stageIndex));
  }

  /** Renders the stage's charts now, and gives the job that uploads them once they are ready. */
  private async chartUpload(
    deploymentId: string,
    stageIndex: number,
    eventId: number,
  ): Promise<SendJob<void> | undefined> {
    const render = this.deps.renderChart;
    const chartKey = `chart:${stageIndex}:${eventId}`;
    if (!render || this.deps.store.slackThreads.hasPost(deploymentId, chartKey)) return undefined;
    const snapshot = this.snapshot(deploymentId);
    const stage = snapshot?.stages[stageIndex];
    if (!snapshot || !stage || stage.kind !== "ANALYSIS") return undefined;
    const options = stage.options as { metrics: AnalysisMetric[] };
    const rendered = await Promise.all(
      options.metrics.map((metric) => render({ snapshot, stageIndex, metric })),
    );
    const charts = rendered.filter((c): c is NonNullable<typeof c> => c !== undefined);
    if (charts.length === 0) return undefined;
    return {
      run: async () => {
        if (this.deps.store.slackThreads.hasPost(deploymentId, chartKey)) return;
        const thread = this.deps.store.slackThreads.get(deploymentId);
        const rootTs = await this.rootTs(deploymentId);
        if (!thread || !rootTs) return;
        await this.deps.client.filesUploadV2({
          channel_id: thread.channel,
          thread_ts: rootTs,
          file_uploads: charts.map((c) => ({ file: c.png, filename: c.filename, title: c.title })),
        });
        this.deps.store.slackThreads.recordPost(deploymentId, chartKey, rootTs, this.deps.clock.now());
      },
    };
  }

  private async reply(deploymentId: string, key: string, payload: MessagePayload): Promise<void> {
    const { store } = this.deps;
    if (store.slackThreads.hasPost(deploymentId, key)) return;
    const thread = store.slackThreads.get(deploymentId);
    const rootTs = await this.rootTs(deploymentId);
    if (!thread || !rootTs) return;
    const posted = await this.deps.client.chat.postMessage({
      channel: thread.channel,
      thread_ts: rootTs,
      ...payload,
      unfurl_links: false,
      unfurl_media: false,
    });
    store.slackThreads.recordPost(deploymentId, key, posted.ts ?? rootTs, this.deps.clock.now());
  }

  /** The ANALYSIS stage an event concerns: its own stage, or the running one for a pause. */
  private analysisStageOf(deploymentId: string, event: TimelineEvent): number | undefined {
    const stages = this.deps.store.stages.list(deploymentId);
    const stage =
      event.stageIndex !== undefined ? stages[event.stageIndex] : stages.find((s) => s.status === "RUNNING");
    return stage?.kind === "ANALYSIS" && stage.startedAt !== undefined ? stage.index : undefined;
  }

  private snapshot(deploymentId: string): DeploymentSnapshot | undefined {
    return readSnapshot(this.deps.store, deploymentId, this.deps.workspaceUrl());
  }
}

/**
 * The key of the one reply a blocked rollback's outage gets (its start identifies it): the first
 * ROLLBACK_BLOCKED posts it, later ones and ROLLBACK_UNBLOCKED update it in place, so a long outage
 * is one message that stays current, not one per retry.
 */
function outageKey(event: TimelineEvent): string | undefined {
  if (event.type !== "ROLLBACK_BLOCKED" && event.type !== "ROLLBACK_UNBLOCKED") return undefined;
  const since = event.data.since;
  return typeof since === "number" ? `rollback-block:${event.stageIndex ?? "-"}:${since}` : undefined;
}

function endsAnalysis(event: TimelineEvent): boolean {
  if (event.type === "DEPLOYMENT_WAITING_APPROVAL") return true;
  return ANALYSIS_END.has(event.type) && event.stageIndex !== undefined;
}
