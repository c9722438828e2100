import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type SimHub, startSimHub } from "./support/sim-hub.js";

describe("telehub-sim run --transport against a real hub", () => {
  let sim: SimHub;
  before(async () => {
    sim = await startSimHub();
  });
  after(async () => {
    await sim.stop();
  });

  it("--transport http: the fleet streams over HTTP requests and --verify finds every reading stored once", async () => {
    const creds = await sim.provision("http-", 4);
    const result = await sim.run([
      "--creds",
      creds,
      "--transport",
      "http",
      "--rate",
      "20",
      "--batch",
      "5",
      "--readings",
      "50",
      "--verify",
      "--json",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const run = JSON.parse(result.stdout) as {
      settings: { transport: string };
      sent: number;
      verification: { stored: number; lostAcknowledged: number; duplicates: number };
    };
    assert.equal(run.settings.transport, "http");
    assert.equal(run.sent, 200);
    assert.deepEqual(
      { stored: run.verification.stored, lost: run.verification.lostAcknowledged, duplicates: run.verification.duplicates },
      { stored: 200, lost: 0, duplicates: 0 },
    );
  });
});
