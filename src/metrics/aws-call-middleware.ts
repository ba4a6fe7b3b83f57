/**
 * An AWS SDK v3 middleware that reports every command of a client to a CallObserver: one observation
 * per call, retries included (it sits in the `initialize` step, outside the retry loop), named after
 * the command (`DescribeServices`).
 */
import type { InitializeHandlerOptions, InitializeMiddleware, MiddlewareStack } from "@smithy/types";
import { type CallObserver, elapsedSince } from "./call-observer.js";

const OPTIONS: InitializeHandlerOptions = { step: "initialize", name: "kanariaCallObserver" };

/** Adds the middleware to a client's stack; `service` labels its calls ("aws.ecs"). */
export function observeAwsCalls(
  client: { middlewareStack: Pick<MiddlewareStack<object, object>, "add"> },
  service: string,
  observer: CallObserver,
): void {
  const middleware: InitializeMiddleware<object, object> = (next, context) => async (args) => {
    const operation = (context.commandName ?? "unknown").replace(/Command$/, "");
    const start = performance.now();
    try {
      const result = await next(args);
      observer.observe(service, operation, "ok", elapsedSince(start));
      return result;
    } catch (error) {
      observer.observe(service, operation, "error", elapsedSince(start));
      throw error;
    }
  };
  client.middlewareStack.add(middleware, OPTIONS);
}
