import assert from "node:assert/strict";
import net from "node:net";
import { test } from "node:test";
import { removeDataDir, spawnHub } from "../src/process/spawn-hub.js";
import { createDevice } from "./support/create-device.js";

/** Send an upgrade request for `path` and reset the connection `afterMs` later, while the hub may still be authenticating it. */
function upgradeThenReset(port: number, path: string, authorization: string, afterMs: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => {
      socket.write(
        [
          `GET ${path} HTTP/1.1`,
          "Host: hub",
          "Upgrade: websocket",
          "Connection: Upgrade",
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
          "Sec-WebSocket-Version: 13",
          "Sec-WebSocket-Protocol: telehub.v1",
          `Authorization: ${authorization}`,
          "",
          "",
        ].join("\r\n"),
      );
      setTimeout(() => {
        socket.resetAndDestroy();
        resolve();
      }, afterMs);
    });
    socket.on("error", () => resolve());
  });
}

test("clients that reset their connection in the middle of a WebSocket upgrade (devices and live channel) leave the hub running", async () => {
  const hub = await spawnHub();
  try {
    const port = Number(new URL(hub.url).port);
    const token = await createDevice(hub.url, hub.adminKey, "reset-dev");
    const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
    const attempts = [
      { path: "/v1/device", authorization: basic("reset-dev", token) },
      { path: "/v1/device", authorization: basic("reset-dev", "wrong-token") },
      { path: "/v1/live", authorization: `Bearer ${hub.adminKey}` },
      { path: "/v1/nowhere", authorization: "" },
    ];
    for (let round = 0; round < 10; round++) {
      await Promise.all(attempts.map(({ path, authorization }, i) => upgradeThenReset(port, path, authorization, (round + i) % 4)));
    }
    // Without an error listener on the upgrading socket, the first reset is an uncaught exception: the hub exits.
    const health = await fetch(`${hub.url}/healthz`).then(
      (response) => response.status,
      (error: unknown) => `no answer: ${String(error)}`,
    );
    assert.equal(health, 200, "the hub still answers");
  } finally {
    await hub.stop();
    removeDataDir(hub);
  }
});
