import type { DeploymentUpdate, Notifier } from "../../src/ports.js";

export class RecordingNotifier implements Notifier {
  readonly updates: DeploymentUpdate[] = [];

  publish(update: DeploymentUpdate): void {
    this.updates.push(update);
  }
}
