import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { test } from "node:test";
import { createLogger } from "../src/logger.js";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { startHub } from "./support/hub-fixture.js";

async function listen(handler: (request: IncomingMessage, body: string) => [number, Record<string, string>]): Promise<Server> {
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      const [status, headers] = handler(request, body);
      response.writeHead(status, headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

const urlOf = (server: Server, path: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;

test("a webhook answering 307 is not followed: the other address never gets the signed POST, and the delivery fails for good at once", async () => {
  const elsewhere: string[] = [];
  const second = await listen((_request, body) => {
    elsewhere.push(body);
    return [204, {}];
  });
  const first: { type: string; deliveryId: string }[] = [];
  let redirecting = true;
  const receiver = await listen((request, body) => {
    first.push({ type: JSON.parse(body).data.command.name, deliveryId: request.headers["x-telehub-delivery"] as string });
    return redirecting ? [307, { location: urlOf(second, "/stolen") }] : [204, {}];
  });
  const logs: { msg: string; status?: number; location?: string; level: number }[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const running = await startHub({ adminKey: TEST_ADMIN_KEY, webhooks: { url: urlOf(receiver, "/hook"), secret: "s" } }, undefined, {
    logger: createLogger({ logLevel: "info" }, sink),
  });
  try {
    await running.provision("redirected-1");
    await callApi(running.hub, "POST", "/api/v1/devices/redirected-1/commands", { name: "first" });
    await eventually(() => logs.some((l) => l.msg.includes("redirect")), "the hub logged the redirect");
    const line = logs.find((l) => l.msg.includes("redirect"));
    assert.deepEqual(
      [line?.level, line?.status, line?.location],
      [50, 307, urlOf(second, "/stolen")],
      "an error line with the status and Location",
    );

    // Deliveries go in order: once the next event arrives, the redirected one was not tried again.
    redirecting = false;
    await callApi(running.hub, "POST", "/api/v1/devices/redirected-1/commands", { name: "second" });
    await eventually(() => first.some((d) => d.type === "second"), "the next event was delivered");
    assert.deepEqual(
      first.map((d) => d.type),
      ["first", "second"],
      "the redirected delivery was tried once",
    );
    assert.deepEqual(elsewhere, [], "the redirect target never got a request");
  } finally {
    await running.dispose();
    await new Promise((resolve) => receiver.close(resolve));
    await new Promise((resolve) => second.close(resolve));
  }
});
