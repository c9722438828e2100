import assert from "node:assert/strict";
import { test } from "node:test";
import { TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { startHub } from "./support/hub-fixture.js";

test("a graceful stop ends open SSE live streams (with TH_HUB_STOPPING) instead of waiting for their clients", async () => {
  const running = await startHub({ adminKey: TEST_ADMIN_KEY });
  const abort = new AbortController();
  try {
    const sse = await fetch(`${running.url}/api/v1/live?topics=presence:*`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
      signal: abort.signal,
    });
    assert.equal(sse.status, 200);
    const text = sse.text().catch((error: Error) => `failed: ${error.message}`);
    await eventually(async () => (await running.hub.metrics.liveSubscribers.get()).values[0]?.value === 1, "the stream is open");
    await running.stop();
    assert.match(await text, /event: closed\ndata: \{"code":"TH_HUB_STOPPING"\}/);
  } finally {
    abort.abort();
    await running.dispose();
  }
});
