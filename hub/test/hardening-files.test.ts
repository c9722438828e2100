import assert from "node:assert/strict";
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import pino from "pino";
import type { HubConfigInput } from "../src/config/hub-config.js";
import { type PrivateInfluxd, startInfluxd } from "../src/testing/influxd.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { influxSettings } from "./support/influx-store.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";
import { requireInfluxd } from "./support/require-binary.js";

/** Every folder and file under `dir` (itself included) with its permission bits. */
function modesUnder(dir: string): Map<string, number> {
  const modes = new Map<string, number>();
  const visit = (path: string): void => {
    const stats = lstatSync(path);
    modes.set(path, stats.mode & 0o777);
    if (stats.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
  };
  visit(dir);
  return modes;
}

/** A pino logger whose lines (parsed) land in `lines`. */
function capturingLogger(lines: Record<string, unknown>[]): pino.Logger {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n")) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return pino({ level: "warn" }, stream);
}

/** Start a hub in `dataDir`, send it one acknowledged batch, run `whileRunning` (the -wal files exist), stop it. */
async function runOnce(
  overrides: HubConfigInput,
  dataDir: string,
  logLines: Record<string, unknown>[],
  whileRunning: () => void | Promise<void> = () => {},
): Promise<void> {
  let running: RunningHub | undefined;
  try {
    running = await startHub(overrides, dataDir, { logger: capturingLogger(logLines) });
    const token = await running.provision("files-1");
    const device = await RawDevice.connect(running.wsUrl, { deviceId: "files-1", token });
    if (isRefusal(device)) assert.fail(`refused: ${JSON.stringify(device)}`);
    await device.hello();
    device.send({ t: "batch", seq: 1, r: [{ ts: Date.now(), m: { temp: 21.5, on: true, mode: "eco" } }] });
    await device.next("ack");
    const latest = await running.hub.telemetry.latest("files-1");
    assert.equal(latest.length, 3, "the readings are readable back");
    device.ws.close();
    await whileRunning();
  } finally {
    await running?.stop();
  }
}

function assertPrivate(dataDir: string): void {
  const modes = modesUnder(dataDir);
  assert.ok(modes.size > 2, `files were written: ${[...modes.keys()].join(", ")}`);
  for (const [path, mode] of modes) {
    const wanted = lstatSync(path).isDirectory() ? 0o700 : 0o600;
    assert.equal(mode.toString(8), wanted.toString(8), `${path} has mode ${mode.toString(8)}`);
  }
}

describe("files and permissions", () => {
  const scratch = mkdtempSync(join(tmpdir(), "telehub-files-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test("a fresh data folder is 0700 and every file the embedded store writes in it (databases, -wal, -shm) 0600", async () => {
    const dataDir = join(scratch, "fresh", "data");
    const lines: Record<string, unknown>[] = [];
    await runOnce({}, dataDir, lines, () => {
      assertPrivate(dataDir);
      const paths = [...modesUnder(dataDir).keys()];
      for (const file of ["meta.db", "meta.db-wal", "meta.db-shm", "telemetry.db", "telemetry.db-wal", "telemetry.db-shm"]) {
        assert.ok(paths.includes(join(dataDir, file)), `${file} was looked at`);
      }
    });
    assertPrivate(dataDir);
    assert.deepEqual(
      lines.filter((line) => line.fix !== undefined),
      [],
      "a private folder raises no warning",
    );
  });

  test("a data folder made readable by others before the start is reported, folder and file, with the chmod to run", async () => {
    const dataDir = join(scratch, "open");
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const metaDb = join(dataDir, "meta.db");
    writeFileSync(metaDb, "");
    chmodSync(metaDb, 0o644);
    const lines: Record<string, unknown>[] = [];
    await runOnce({}, dataDir, lines);
    const warnings = lines.filter((line) => line.level === 40);
    const aboutDir = warnings.find((line) => line.path === dataDir);
    assert.ok(aboutDir, `a warning names the folder: ${JSON.stringify(warnings)}`);
    assert.equal(aboutDir.mode, "0755");
    assert.equal(aboutDir.fix, `chmod 700 '${dataDir}'`);
    assert.match(String(aboutDir.msg), new RegExp(`${dataDir}.*0755.*chmod 700`));
    const aboutFile = warnings.find((line) => line.path === metaDb);
    assert.ok(aboutFile, "a warning names meta.db");
    assert.equal(aboutFile.mode, "0644");
    assert.equal(aboutFile.fix, `chmod 600 '${metaDb}'`);
    assert.equal(lstatSync(dataDir).mode & 0o777, 0o755, "the operator's modes are reported, not changed");
    const created = modesUnder(dataDir);
    assert.equal(created.get(join(dataDir, "telemetry.db")), 0o600, "files created by this start are private all the same");
  });

  describe("with InfluxDB (private influxd)", { skip: requireInfluxd() }, () => {
    let influxd: PrivateInfluxd;
    before(async () => {
      influxd = await startInfluxd();
    });
    after(async () => {
      await influxd?.remove();
    });

    test("the spool (and its -wal, -shm) is 0600 in a 0700 folder", async () => {
      const dataDir = join(scratch, "influx", "data");
      const lines: Record<string, unknown>[] = [];
      await runOnce({ storage: { telemetry: "influxdb" }, influx: influxSettings(influxd) }, dataDir, lines, () => {
        assertPrivate(dataDir);
        const paths = [...modesUnder(dataDir).keys()];
        for (const file of ["influx-spool.db", "influx-spool.db-wal", "influx-spool.db-shm"]) {
          assert.ok(paths.includes(join(dataDir, file)), `${file} was looked at`);
        }
      });
      assertPrivate(dataDir);
    });
  });
});
