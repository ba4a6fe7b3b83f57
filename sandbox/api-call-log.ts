/**
 * Every API call the sandbox answered, in order: which service and operation, when (world time), and
 * how it ended. Tests and the rollback benchmark read it to count calls ("one ModifyListener") and to
 * see what an adapter actually did.
 */
import type { SandboxService } from "./faults.js";

export interface ApiCall {
  service: SandboxService;
  operation: string;
  atMs: number;
  status: number;
  /** AWS error code when the call failed. */
  errorCode: string | undefined;
}

export class ApiCallLog {
  private readonly calls: ApiCall[] = [];

  record(call: ApiCall): void {
    this.calls.push(call);
  }

  /** Calls so far, optionally of one service and operation. */
  list(service?: SandboxService, operation?: string): ApiCall[] {
    return this.calls.filter(
      (c) =>
        (service === undefined || c.service === service) &&
        (operation === undefined || c.operation === operation),
    );
  }

  clear(): void {
    this.calls.length = 0;
  }
}
