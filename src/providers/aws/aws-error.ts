/**
 * AWS failures become KanariaErrors with a stable code (`AWS_<ErrorName>`) and the SDK error as cause,
 * so the timeline says what AWS said and operators' logs keep the request id.
 */
import { KanariaError } from "../../domain/kanaria-error.js";

export function awsErrorName(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const name = (error as { name?: unknown }).name;
  return typeof name === "string" ? name : undefined;
}

export function wrapAwsError(operation: string, error: unknown): KanariaError {
  const name = awsErrorName(error) ?? "Error";
  const message = error instanceof Error ? error.message : String(error);
  return new KanariaError(`AWS_${name}`, `${operation} failed: ${name}: ${message}`, { cause: error });
}

/** Runs one AWS call, turning its failure into a KanariaError. */
export async function aws<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw wrapAwsError(operation, error);
  }
}
