/** AWS error answers in ECS's JSON 1.1 and ELBv2's Query/XML shapes, for the test servers. */
import type { ServerResponse } from "node:http";

export function sendEcsError(response: ServerResponse, status: number, code: string, message = code): void {
  response.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": code });
  response.end(JSON.stringify({ __type: code, message }));
}

export function sendElbv2Error(response: ServerResponse, status: number, code: string, message = code): void {
  const type = status >= 500 ? "Receiver" : "Sender";
  response.writeHead(status, { "content-type": "text/xml" });
  response.end(
    `<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><Error>` +
      `<Type>${type}</Type><Code>${code}</Code><Message>${message}</Message>` +
      `</Error><RequestId>test</RequestId></ErrorResponse>`,
  );
}
