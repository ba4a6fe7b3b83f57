/**
 * A loopback HTTP server that answers every request the way a test says — an AWS error in ECS's
 * JSON 1.1 or ELBv2's Query/XML shape, a dropped connection, or nothing at all — and counts requests.
 * For tests of how the AWS adapters classify what comes over the wire. Held requests are let go on
 * close().
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { closeServer, listen } from "../../../src/sandbox/sandbox-http.js";

export type StubAnswer =
  | { kind: "ecs-error"; status: number; code: string; message?: string }
  | { kind: "elbv2-error"; status: number; code: string; message?: string }
  | { kind: "reset" }
  | { kind: "hang" };

export interface StubAwsServer {
  endpoint: string;
  requests(): number;
  answer(next: StubAnswer): void;
  close(): Promise<void>;
}

export async function startStubAwsServer(): Promise<StubAwsServer> {
  let answer: StubAnswer = { kind: "hang" };
  let count = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    count++;
    request.resume();
    request.on("end", () => reply(answer, request, response));
  });
  const endpoint = await listen(server, "127.0.0.1", 0);
  return {
    endpoint,
    requests: () => count,
    answer(next) {
      answer = next;
    },
    close: () => closeServer(server),
  };
}

function reply(answer: StubAnswer, request: IncomingMessage, response: ServerResponse): void {
  switch (answer.kind) {
    case "hang":
      return;
    case "reset":
      request.socket.resetAndDestroy();
      return;
    case "ecs-error": {
      const body = JSON.stringify({ __type: answer.code, message: answer.message ?? answer.code });
      response.writeHead(answer.status, {
        "content-type": "application/x-amz-json-1.1",
        "x-amzn-errortype": answer.code,
      });
      response.end(body);
      return;
    }
    case "elbv2-error": {
      const type = answer.status >= 500 ? "Receiver" : "Sender";
      const body =
        `<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><Error>` +
        `<Type>${type}</Type><Code>${answer.code}</Code><Message>${answer.message ?? answer.code}</Message>` +
        `</Error><RequestId>stub</RequestId></ErrorResponse>`;
      response.writeHead(answer.status, { "content-type": "text/xml" });
      response.end(body);
      return;
    }
  }
}
