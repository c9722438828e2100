import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { runInNewContext } from "node:vm";
import { buildBundle } from "@telehub/device-client/espruino/build";
import { createEspruinoNetAdapter } from "@telehub/device-client/espruino/testing";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";

/*
 * The minified bundle itself (what `npm run flash` uploads), run in a fresh V8 context with
 * stand-ins for Espruino's built-ins (require("Storage"/"Wifi"/"net"), E, process.memory,
 * print) and the Espruino net adapter, against the real hub: proves the bundling and the
 * property mangling kept the program working.
 */

let running: RunningHub;
before(async () => {
  running = await startHub({ adminKey: TEST_ADMIN_KEY });
});
after(async () => {
  await running.dispose();
});

test("the uploaded bundle, run as on the device: credentials from Storage, readings every interval, commands, configuration", async () => {
  const token = await running.provision("esp-b1");
  let shutdown = false;
  const adapter = createEspruinoNetAdapter({ chunkBytes: 5, refuse: () => shutdown });
  const files: Record<string, unknown> = {
    "telehub.json": { url: running.wsUrl, id: "esp-b1", token, ssid: "", interval: 0.05 },
  };
  const printed: string[] = [];
  const timers: unknown[] = [];
  const modules: Record<string, unknown> = {
    Storage: {
      readJSON: (file: string) => files[file],
      writeJSON: (file: string, data: unknown) => {
        files[file] = JSON.parse(JSON.stringify(data));
      },
    },
    Wifi: { getDetails: (callback: (d: { rssi: number }) => void) => callback({ rssi: -55 }) },
    net: adapter.platform.net,
  };
  const { minified } = await buildBundle();
  runInNewContext(minified, {
    require: (name: string) => modules[name],
    E: { toString: adapter.platform.toBinaryString, getTemperature: () => 21.5 },
    process: { memory: () => ({ free: 1234 }), env: { VERSION: "2v29" } },
    print: (...text: unknown[]) => printed.push(text.join(" ")),
    btoa,
    setTimeout: (f: () => void, ms: number) => {
      if (shutdown) return undefined;
      const t = setTimeout(f, ms);
      timers.push(t);
      return t;
    },
    clearTimeout,
    setInterval: (f: () => void, ms: number) => {
      if (shutdown) return undefined;
      const t = setInterval(f, ms);
      timers.push(t);
      return t;
    },
    clearInterval,
  });
  try {
    const latest = async () => (await callApi(running.hub, "GET", "/api/v1/devices/esp-b1/latest")).body;
    await eventually(async () => JSON.stringify(await latest()).includes("1234"), "readings stored", 10_000);
    const body = JSON.stringify(await latest());
    for (const value of ["21.5", "-55", "1234"]) assert.ok(body.includes(value), `${value} in ${body}`);

    const sent = await callApi(running.hub, "POST", "/api/v1/devices/esp-b1/commands", { name: "ping" });
    const done = await callApi(running.hub, "GET", `/api/v1/commands/${sent.body.id}?wait=5000`);
    assert.equal(done.body.state, "succeeded");
    assert.equal(done.body.result, "pong");

    await callApi(running.hub, "PUT", "/api/v1/devices/esp-b1/config", { document: { interval: 60 } });
    await eventually(
      () => (files["telehub.state"] as { cfg?: number } | undefined)?.cfg === 1,
      "configuration applied and kept in Storage",
    );
    assert.deepEqual(files["telehub.state"], { interval: 60, cfg: 1 });
    assert.ok(
      printed.some((line) => line.startsWith("telehub: welcome")),
      printed.join("\n"),
    );
    assert.equal(adapter.log.nonStringWrites, 0);
  } finally {
    shutdown = true;
    for (const t of timers) clearTimeout(t as NodeJS.Timeout);
    adapter.dropAll();
  }
});
