/**
 * `/metrics` on a port of its own (kanaria.yaml's `metrics.port`), for Socket Mode, where no HTTP
 * receiver listens. Serves GET /metrics and nothing else.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

export function startMetricsServer(
  port: number,
  source: () => Promise<{ contentType: string; text: string }>,
  host = "0.0.0.0",
): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method !== "GET" || path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("only GET /metrics here\n");
      return;
    }
    source().then(
      ({ contentType, text }) => res.writeHead(200, { "content-type": contentType }).end(text),
      () => res.writeHead(500, { "content-type": "text/plain" }).end("rendering the metrics failed\n"),
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
