import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import pino from "pino";
import WebSocket from "ws";
import { routeUpgrades } from "../src/upgrade-router.js";

/** The answer to an upgrade of `/v1/device` whose handler rejects with `error`. */
async function refusalFor(
  error: Error,
): Promise<{ status: number; code: string | undefined; retryAfter: string | undefined; body: string }> {
  const server = createServer();
  routeUpgrades(server, { "/v1/device": () => Promise.reject(error) }, pino({ level: "silent" }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/device`, ["telehub.v1"]);
    return await new Promise((resolve, reject) => {
      ws.once("unexpected-response", (_req, res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            code: res.headers["x-telehub-error"] as string | undefined,
            retryAfter: res.headers["retry-after"],
            body,
          }),
        );
      });
      ws.once("open", () => reject(new Error("the upgrade was accepted")));
      ws.once("error", () => undefined);
    });
  } finally {
    server.close();
  }
}

test("an upgrade whose handling fails is refused 500 TH_INTERNAL with Retry-After (docs/protocol.md §1.2), saying when the store is away", async () => {
  const failed = await refusalFor(new Error("boom"));
  assert.equal(failed.status, 500);
  assert.equal(failed.code, "TH_INTERNAL");
  assert.equal(failed.retryAfter, "1");
  assert.equal(JSON.parse(failed.body).error.code, "TH_INTERNAL");
  const away = await refusalFor(Object.assign(new Error("connect ECONNREFUSED"), { storeUnavailable: true }));
  assert.equal(away.code, "TH_INTERNAL");
  assert.match(JSON.parse(away.body).error.message, /metadata store is unreachable/);
});
