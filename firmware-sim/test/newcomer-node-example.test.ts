import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type HubProcess, removeDataDir, spawnHub } from "@telehub/hub/spawn";
import { runScript } from "./support/run-cli.js";

/** The README's Node example, as a file (device-client/examples/first-reading.mjs). */
const EXAMPLE = new URL("../../../device-client/examples/first-reading.mjs", import.meta.url);
const README = new URL("../../../README.md", import.meta.url);

/** The fenced code blocks of a Markdown text, indentation (of a list item) removed. */
function codeBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^( *)```\w*\n([\s\S]*?)^\1```$/gm)].map(([, indent = "", body = ""]) =>
    body
      .split("\n")
      .map((line) => line.slice(indent.length))
      .join("\n"),
  );
}

describe("the README's Node example (device-client/examples/first-reading.mjs)", () => {
  let hub: HubProcess;
  before(async () => {
    hub = await spawnHub();
  });
  after(async () => {
    await hub.stop();
    removeDataDir(hub);
  });

  it("is in the README exactly as in the file", () => {
    assert.ok(codeBlocks(readFileSync(README, "utf8")).includes(readFileSync(EXAMPLE, "utf8")));
  });

  it("run with the token of the device the README creates, it exits 0 and its reading is on the hub", async () => {
    const headers = { authorization: `Bearer ${hub.adminKey}`, "content-type": "application/json" };
    const created = await fetch(`${hub.url}/api/v1/devices`, {
      method: "POST",
      headers,
      body: JSON.stringify({ id: "greenhouse-1", name: "Greenhouse" }),
    });
    assert.equal(created.status, 201);
    const { token } = (await created.json()) as { token: string };

    // The example would hang if it did not close the client: the test's timeout would fail it.
    const run = await runScript(fileURLToPath(EXAMPLE), [], { env: { HUB: hub.url, TELEHUB_TOKEN: token } });
    assert.equal(run.code, 0, run.stderr);

    const latest = await fetch(`${hub.url}/api/v1/devices/greenhouse-1/latest`, { headers });
    const { data } = (await latest.json()) as { data: { metric: string; value: unknown }[] };
    assert.deepEqual(Object.fromEntries(data.map((d) => [d.metric, d.value])), { temperature: 21.5, door_open: false });
  });

  it("with a wrong token it exits non-zero (the hub refuses the device for good)", async () => {
    const run = await runScript(fileURLToPath(EXAMPLE), [], { env: { HUB: hub.url, TELEHUB_TOKEN: "not-the-token" } });
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /TH_AUTH|401/);
  });
});
