/**
 * Starts a worker thread on a module that lives beside the caller: `<name>.js` once built. Run from
 * source (tests, `tsx` scripts) it is `<name>.ts`, which a worker can only load after registering tsx's
 * loader in it (a dev dependency, there in every checkout that runs sources): a two-line bootstrap does
 * that first. `workerData` and the other options reach the worker either way.
 */
import { Worker, type WorkerOptions } from "node:worker_threads";

/** `callerUrl` is the caller's `import.meta.url`; `name` the module's file name without extension. */
export function startModuleWorker(callerUrl: string, name: string, options: WorkerOptions = {}): Worker {
  if (!callerUrl.endsWith(".ts")) return new Worker(new URL(`./${name}.js`, callerUrl), options);
  const entry = JSON.stringify(new URL(`./${name}.ts`, callerUrl).href);
  const bootstrap = `import("tsx/esm/api").then(({ register }) => { register(); return import(${entry}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
