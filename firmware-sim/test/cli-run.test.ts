import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { runCli } from "./support/run-cli.js";
import { deleteStoredValue, type SimHub, startSimHub } from "./support/sim-hub.js";

interface RunJson {
  sent: number;
  acknowledged: number;
  reconnects: number;
  refused: Record<string, number>;
  ackP50Ms: number;
  elapsedMs: number;
  faults: { disconnects: number; kills: number; malformed: number; bursts: number };
  verification: { sent: number; stored: number; lostAcknowledged: number; duplicates: number } | null;
}

function parse(stdout: string): RunJson {
  return JSON.parse(stdout) as RunJson;
}

describe("telehub-sim against a real hub", () => {
  let sim: SimHub;
  before(async () => {
    sim = await startSimHub();
  });
  after(async () => {
    await sim.stop();
  });

  it("provision writes a 0600 credentials file and refuses to overwrite it without --force", async () => {
    const file = await sim.provision("prov-", 3);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const env = { TELEHUB_API_KEY: sim.hub.adminKey };
    const again = await runCli(["provision", "--count", "1", "--prefix", "other-", "--hub", sim.hub.url, "--out", file], { env });
    assert.equal(again.code, 2);
    assert.match(again.stderr, /exists; pass --force/);
    const forced = await runCli(["provision", "--count", "1", "--prefix", "forced-", "--hub", sim.hub.url, "--out", file, "--force"], {
      env,
    });
    assert.equal(forced.code, 0, forced.stderr);
  });

  it("disconnects and socket kills really happen; the devices reconnect and --verify finds nothing lost", async () => {
    const creds = await sim.provision("drop-", 4);
    const args = ["--creds", creds, "--rate", "20", "--batch", "5", "--readings", "50", "--disconnect-every", "150ms"];
    const result = await sim.run([...args, "--kill-every", "200ms", "--verify", "--json", "--interval", "500ms"]);
    assert.equal(result.code, 0, result.stderr);
    const run = parse(result.stdout);
    assert.ok(run.faults.disconnects > 0 && run.faults.kills > 0, JSON.stringify(run.faults));
    assert.ok(run.reconnects >= run.faults.disconnects, `reconnects ${run.reconnects}`);
    assert.equal(run.sent, 200);
    assert.deepEqual(
      { stored: run.verification?.stored, lost: run.verification?.lostAcknowledged, duplicates: run.verification?.duplicates },
      { stored: 200, lost: 0, duplicates: 0 },
    );
    assert.match(result.stderr, /connected \d+\/4 {2}sent\/s/, "plain live lines when not on a TTY");
  });

  it("--transport http: the fleet streams over HTTP requests and --verify finds every reading stored once", async () => {
    const creds = await sim.provision("http-", 4);
    const args = ["--creds", creds, "--transport", "http", "--rate", "20", "--batch", "5", "--readings", "50"];
    const result = await sim.run([...args, "--verify", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    const run = JSON.parse(result.stdout) as RunJson & { settings: { transport: string } };
    assert.equal(run.settings.transport, "http");
    assert.equal(run.sent, 200);
    assert.deepEqual(
      { stored: run.verification?.stored, lost: run.verification?.lostAcknowledged, duplicates: run.verification?.duplicates },
      { stored: 200, lost: 0, duplicates: 0 },
    );
  });

  it("malformed frames reach the hub (it counts TH_FRAME_MALFORMED) and nothing is lost", async () => {
    const creds = await sim.provision("bad-", 2);
    const before = malformedCount(await sim.metrics());
    const result = await sim.run([
      "--creds",
      creds,
      "--rate",
      "20",
      "--readings",
      "30",
      "--malformed-every",
      "200ms",
      "--verify",
      "--json",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const run = parse(result.stdout);
    assert.ok(run.faults.malformed > 0);
    assert.equal(malformedCount(await sim.metrics()) - before, run.faults.malformed);
    assert.equal(run.verification?.lostAcknowledged, 0);
  });

  it("slow acks delay the device's processing: ack latency at least the delay", async () => {
    const creds = await sim.provision("slow-", 2);
    const result = await sim.run(["--creds", creds, "--rate", "10", "--batch", "2", "--readings", "10", "--slow-acks", "150ms", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(parse(result.stdout).ackP50Ms >= 150, `p50 ${parse(result.stdout).ackP50Ms} ms`);
    assert.deepEqual(parse(result.stdout).refused, {}, "no attempt refused");
  });

  it("bursts send readings ahead of the schedule; clock skew shows on the hub", async () => {
    const creds = await sim.provision("burst-", 2);
    // At 1 reading/s, 20 readings would take 20 s without the bursts.
    const args = ["--creds", creds, "--rate", "1", "--readings", "20", "--burst-every", "100ms", "--burst-size", "20"];
    const result = await sim.run([...args, "--clock-skew", "10m", "--seed", "3", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    const run = parse(result.stdout);
    assert.ok(run.faults.bursts > 0);
    assert.equal(run.sent, 40);
    assert.ok(run.elapsedMs < 10_000, `took ${run.elapsedMs} ms`);
    const devices = await Promise.all(
      ["burst-1", "burst-2"].map((id) =>
        fetch(`${sim.hub.url}/api/v1/devices/${id}`, { headers: { authorization: `Bearer ${sim.hub.adminKey}` } }).then(
          (r) => r.json() as Promise<{ clockSkewMs: number; clockSkewFlagged: boolean }>,
        ),
      ),
    );
    assert.ok(
      devices.some((d) => d.clockSkewFlagged && Math.abs(d.clockSkewMs) > 60_000),
      JSON.stringify(devices),
    );
  });

  it("--ramp connects the fleet at the given pace", async () => {
    const creds = await sim.provision("ramp-", 4);
    const result = await sim.run(["--creds", creds, "--rate", "10", "--readings", "2", "--ramp", "2", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    // The 4th device starts 1.5 s after the first at 2 devices/s.
    assert.ok(parse(result.stdout).elapsedMs >= 1_500, `took ${parse(result.stdout).elapsedMs} ms`);
  });

  it("a thermostat handles set_setpoint: the command succeeds and later readings carry the new set-point", async () => {
    const creds = await sim.provision("cmd-", 1);
    const running = sim.run(["--creds", creds, "--rate", "10", "--batch", "1", "--duration", "3s"]);
    const headers = { authorization: `Bearer ${sim.hub.adminKey}`, "content-type": "application/json" };
    const command = (await fetch(`${sim.hub.url}/api/v1/devices/cmd-1/commands?wait=10000`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "set_setpoint", args: { setpoint: 25 } }),
    }).then((r) => r.json())) as { state: string; result: unknown };
    assert.deepEqual({ state: command.state, result: command.result }, { state: "succeeded", result: { setpoint: 25 } });
    assert.equal((await running).code, 0);
    const latest = (await fetch(`${sim.hub.url}/api/v1/devices/cmd-1/latest`, { headers }).then((r) => r.json())) as {
      data: { metric: string; value: unknown }[];
    };
    assert.equal(latest.data.find((p) => p.metric === "setpoint")?.value, 25);
  });

  it("--verify reports an acknowledged reading deleted from the hub's store and exits 1", async () => {
    const creds = await sim.provision("gone-", 1);
    const running = sim.run(["--creds", creds, "--rate", "5", "--batch", "1", "--readings", "15", "--verify", "--json"]);
    // Delete reading sim_seq 0 once the hub has stored (and acknowledged) it; the run goes on.
    let deleted = 0;
    for (let i = 0; i < 200 && deleted === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      deleted = deleteStoredValue(sim.hub, "gone-1", "sim_seq", 0);
    }
    assert.equal(deleted, 1);
    const result = await running;
    assert.equal(result.code, 1, result.stderr);
    const run = parse(result.stdout);
    assert.equal(run.verification?.lostAcknowledged, 1);
    assert.equal(run.verification?.stored, 14);
  });
});

describe("telehub-sim against a hub that admits one handshake at a time", () => {
  let sim: SimHub;
  before(async () => {
    sim = await startSimHub({ TELEHUB_GATEWAY_MAX_CONCURRENT_HANDSHAKES: "1" });
  });
  after(async () => {
    await sim.stop();
  });

  it("attempts turned away as busy are counted by code, and the summary suggests --ramp", async () => {
    const creds = await sim.provision("storm-", 6);
    const text = await sim.run(["--creds", creds, "--rate", "10", "--readings", "2"]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /acknowledged +12\n/, "every device got through in the end");
    assert.match(text.stdout, /reconnects +[\d,]+, of them refused at connect: TH_HUB_BUSY [1-9][\d,]*\n/);
    assert.match(text.stdout, /hint .*TH_HUB_BUSY.*--ramp <devices\/s> connects a fleet gradually/);
  });
});

function malformedCount(metrics: string): number {
  return Number(/^telehub_rejected_total\{code="TH_FRAME_MALFORMED"\} (\d+)/m.exec(metrics)?.[1] ?? 0);
}
