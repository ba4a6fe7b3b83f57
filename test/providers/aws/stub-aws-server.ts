/**
 * A loopback HTTP server that answers every request the way a test says — an AWS error in ECS's
 * JSON 1.1 or ELBv2's Query/XML shape, a dropped connection, or nothing at all — and counts requests.
 * For tests of how the AWS adapters classify what comes over the wire. Held requests are let go on
 * close().
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { closeServer, listen } from "../../../sandbox/sandbox-http.js";
import { sendEcsError, sendElbv2Error } from "./aws-error-bodies.js";

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
    case "ecs-error":
      sendEcsError(response, answer.status, answer.code, answer.message);
      return;
    case "elbv2-error":
      sendElbv2Error(response, answer.status, answer.code, answer.message);
      return;
  }
}
