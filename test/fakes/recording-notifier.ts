import type { DeploymentUpdate, Notifier } from "../../src/ports.js";

export class RecordingNotifier implements Notifier {
  readonly updates: DeploymentUpdate[] = [];
  readonly notices: Array<{ app: string; message: string }> = [];

  publish(update: DeploymentUpdate): void {
    this.updates.push(update);
  }

  notice(app: string, message: string): void {
    this.notices.push({ app, message });
  }
}
