/**
 * A Notifier that writes each timeline event to the operators' log. Used while no Slack app is
 * configured, and alongside Slack it keeps a plain record of what users were told.
 */
import type { Logger } from "../engine/logger.js";
import type { DeploymentUpdate, Notifier } from "../ports.js";
import type { Store } from "../store/store.js";

export class LogNotifier implements Notifier {
  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  publish(update: DeploymentUpdate): void {
    const event = this.store.events.list(update.deploymentId).find((e) => e.id === update.eventId);
    if (!event) return;
    this.logger.info(
      { deployment: update.deploymentId, app: update.app, event: event.type, stage: event.stageIndex },
      event.message,
    );
  }

  notice(app: string, message: string): void {
    this.logger.warn({ app }, message);
  }
}
