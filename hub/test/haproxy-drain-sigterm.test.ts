import assert from "node:assert/strict";
import { test } from "node:test";
import { removeDataDir, spawnHub } from "../src/process/spawn-hub.js";

// The drain is the process's too: SIGTERM (server.ts) starts it, not only Hub.close().

test("after SIGTERM a hub with gateway.drainMs answers /readyz 503 draining", async () => {
  const hub = await spawnHub({ env: { TELEHUB_GATEWAY_DRAIN_MS: "60000" } });
  try {
    assert.equal((await fetch(`${hub.url}/readyz`)).status, 200);
    process.kill(hub.pid, "SIGTERM");
    let answer: { status: number; body: { status?: string } } | undefined;
    // The signal is handled in the hub's next turn: until then /readyz may still say ready.
    for (let i = 0; i < 200 && answer?.status !== 503; i++) {
      const response = await fetch(`${hub.url}/readyz`);
      answer = { status: response.status, body: (await response.json()) as { status?: string } };
      if (answer.status !== 503) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.equal(answer?.status, 503);
    assert.equal(answer?.body.status, "draining");
  } finally {
    await hub.kill();
    removeDataDir(hub);
  }
});
