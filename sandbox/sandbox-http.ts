/**
 * HTTP plumbing shared by the protocol servers: reading a body, the region a SigV4-signed request was
 * signed for (the sandbox accepts any signature, and unsigned requests too), request ids, and listening
 * on loopback.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";

/** Bodies above this are refused (no sandbox request comes close). */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("request body too large"));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/** `Credential=AKID/20260105/ap-northeast-1/ecs/aws4_request` → `ap-northeast-1`. */
export function signedRegion(request: IncomingMessage): string | undefined {
  const authorization = request.headers.authorization;
  const match =
    typeof authorization === "string" ? /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\//.exec(authorization) : null;
  return match?.[1];
}

export function newRequestId(): string {
  return randomUUID();
}

export function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** Listens on `host:port` (0 = any free port) and returns the base URL. */
export function listen(server: Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      if (address === null || typeof address === "string") {
        reject(new Error("server has no TCP address"));
        return;
      }
      resolve(`http://${host}:${address.port}`);
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
