import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  boardModel,
  buildCollectors,
  CollectRound,
  diskCollector,
  findThermalZones,
  loadCollector,
  memoryCollector,
  mountName,
  networkCollector,
  parseAgentConfig,
  parseMeminfo,
  parseNetDev,
  thermalCollector,
  uptimeCollector,
} from "../src/agent/index.js";

/** A test double of `/sys/class/thermal`: a temp folder with `thermal_zoneN/{temp,type}` files. */
function fakeThermalDir(zones: Record<string, { type: string; temp: string }>): string {
  const dir = mkdtempSync(join(tmpdir(), "telehub-fake-sysfs-"));
  for (const [zone, { type, temp }] of Object.entries(zones)) {
    mkdirSync(join(dir, zone));
    writeFileSync(join(dir, zone, "type"), `${type}\n`);
    writeFileSync(join(dir, zone, "temp"), `${temp}\n`);
  }
  mkdirSync(join(dir, "cooling_device0"));
  return dir;
}

function recordingLog(): { lines: string[]; info: (m: string) => void; warn: (m: string) => void; error: (m: string) => void } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
}

describe("built-in collectors on this machine", () => {
  test("load averages are ≥ 0 and the CPU count ≥ 1", async () => {
    const m = await loadCollector().collect();
    for (const key of ["load.1m", "load.5m", "load.15m"]) assert.ok((m[key] as number) >= 0, key);
    assert.ok((m["cpu.count"] as number) >= 1);
  });

  test("memory: a total > 0, available between 0 and the total, a used percentage", async () => {
    const m = await memoryCollector().collect();
    const total = m["mem.total_bytes"] as number;
    const available = m["mem.available_bytes"] as number;
    assert.ok(total > 0);
    assert.ok(available > 0 && available <= total, `${available} of ${total}`);
    assert.ok((m["mem.used_pct"] as number) >= 0 && (m["mem.used_pct"] as number) <= 100);
  });

  test("disk: the root file system has a size, free space within it, and a used percentage", async () => {
    const m = await diskCollector("/").collect();
    assert.ok((m["disk.root.total_bytes"] as number) > 0);
    assert.ok((m["disk.root.free_bytes"] as number) <= (m["disk.root.total_bytes"] as number));
    assert.ok((m["disk.root.used_pct"] as number) >= 0 && (m["disk.root.used_pct"] as number) <= 100);
  });

  test("a mount point that does not exist fails its own disk collector, with the path in the message, and not the others'", async () => {
    await assert.rejects(diskCollector("/no/such/mount").collect(), /no\/such\/mount/);
    const log = recordingLog();
    const merged = await new CollectRound([diskCollector("/"), diskCollector("/no/such/mount")], log).collect();
    assert.ok((merged["disk.root.total_bytes"] as number) > 0, "the root's figures are still collected");
    assert.equal(log.lines.length, 1);
    assert.match(log.lines[0] as string, /^warn disk \/no\/such\/mount: .*no\/such\/mount/);
  });

  test("network: counters for at least one interface, and none for lo (excluded by default)", async () => {
    const m = await networkCollector({ include: [], exclude: ["lo"] }).collect();
    const interfaces = new Set(Object.keys(m).map((k) => k.split(".")[1]));
    assert.ok(interfaces.size >= 1, JSON.stringify(m));
    assert.ok(!interfaces.has("lo"));
    for (const value of Object.values(m)) assert.ok(typeof value === "number" && value >= 0);
    const onlyLo = await networkCollector({ include: ["lo"], exclude: [] }).collect();
    assert.ok((onlyLo["net.lo.rx_bytes"] as number) >= 0, "include picks interfaces");
    assert.deepEqual(Object.keys(onlyLo).sort(), ["net.lo.rx_bytes", "net.lo.rx_packets", "net.lo.tx_bytes", "net.lo.tx_packets"]);
  });

  test("uptime is > 0 s", async () => {
    const m = await uptimeCollector().collect();
    assert.ok((m.uptime_s as number) > 0);
    assert.ok((m["agent.uptime_s"] as number) >= 0);
  });
});

describe("the thermal collector, against a fake sysfs folder (test double)", () => {
  test("reads millidegrees of every zone; cpu.temp_c is the CPU's zone", async () => {
    const dir = fakeThermalDir({
      thermal_zone0: { type: "acpitz", temp: "27800" },
      thermal_zone1: { type: "cpu-thermal", temp: "48312" },
      thermal_zone2: { type: "gpu thermal", temp: "not a number" },
    });
    try {
      const zones = await findThermalZones(dir);
      assert.deepEqual(
        zones.map((z) => z.zone),
        ["thermal_zone0", "thermal_zone1", "thermal_zone2"],
      );
      const m = await thermalCollector(dir, zones).collect();
      assert.deepEqual(m, { "thermal.acpitz.temp_c": 27.8, "thermal.cpu-thermal.temp_c": 48.312, "cpu.temp_c": 48.312 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("with no thermal zones the collector is skipped with one log line, and the others still run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "telehub-fake-sysfs-"));
    try {
      const log = recordingLog();
      const config = parseAgentConfig({ thermal: { dir } }, "/etc/telehub/agent.json", { collectOnly: true });
      const collectors = await buildCollectors(config, log);
      assert.deepEqual(
        collectors.map((c) => c.name),
        ["load", "memory", "disk /", "network", "uptime"],
      );
      assert.equal(log.lines.length, 1);
      assert.match(log.lines[0] ?? "", /^info thermal: no readable .*thermal_zone\*\/temp/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a mount point this machine lacks is left out with one info line; the others are measured", async () => {
    const config = parseAgentConfig({ disk: { mounts: ["/", "/no/such/mount"] } }, "/etc/telehub/agent.json", {
      collectOnly: true,
    });
    const log = recordingLog();
    const collectors = await buildCollectors(config, log);
    assert.deepEqual(
      collectors.filter((c) => c.name.startsWith("disk")).map((c) => c.name),
      ["disk /"],
      "one disk collector per mount found",
    );
    const disk = collectors.find((c) => c.name === "disk /") as (typeof collectors)[number];
    assert.deepEqual(
      log.lines.filter((l) => l.includes("disk")),
      ["info disk: /no/such/mount not found on this machine; not measured"],
    );
    const metrics = await disk.collect();
    assert.deepEqual(Object.keys(metrics).sort(), ["disk.root.free_bytes", "disk.root.total_bytes", "disk.root.used_pct"]);
  });

  test("only missing mount points: no disk collector", async () => {
    const config = parseAgentConfig({ disk: { mounts: ["/no/such/mount"] } }, "/etc/telehub/agent.json", { collectOnly: true });
    const collectors = await buildCollectors(config, recordingLog());
    assert.ok(!collectors.some((c) => c.name.startsWith("disk")));
  });

  test("a collector turned off in the configuration is not built", async () => {
    const config = parseAgentConfig({ collectors: { thermal: false, network: false, disk: false } }, "/x/agent.json", {
      collectOnly: true,
    });
    const collectors = await buildCollectors(config, recordingLog());
    assert.deepEqual(
      collectors.map((c) => c.name),
      ["load", "memory", "uptime"],
    );
  });
});

describe("the model the agent reports", () => {
  test("the device tree's board model first; off a Pi, the DMI product name; neither, none", () => {
    const dir = mkdtempSync(join(tmpdir(), "telehub-fake-model-"));
    try {
      const deviceTree = join(dir, "model");
      const dmi = join(dir, "product_name");
      writeFileSync(dmi, "Standard PC (Q35 + ICH9, 2009)\n");
      assert.equal(boardModel(join(dir, "absent"), dmi), "Standard PC (Q35 + ICH9, 2009)");
      writeFileSync(deviceTree, "Raspberry Pi 4 Model B Rev 1.4\0");
      assert.equal(boardModel(deviceTree, dmi), "Raspberry Pi 4 Model B Rev 1.4");
      assert.equal(boardModel(join(dir, "absent"), join(dir, "absent-too")), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("parsers of /proc files", () => {
  test("/proc/net/dev: bytes and packets, received and sent, per interface", () => {
    const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:  123456     789    0    0    0     0          0         0   123456     789    0    0    0     0       0          0
  eth0: 98765432  54321    1    2    0     0          0        10  1234567   4321    0    0    0     0       0          0
wlan0:1 2 0 0 0 0 0 0 3 4 0 0 0 0 0 0
`;
    const parsed = parseNetDev(text);
    assert.deepEqual([...parsed.keys()], ["lo", "eth0", "wlan0"]);
    assert.deepEqual(parsed.get("eth0"), { rxBytes: 98765432, rxPackets: 54321, txBytes: 1234567, txPackets: 4321 });
    assert.deepEqual(parsed.get("wlan0"), { rxBytes: 1, rxPackets: 2, txBytes: 3, txPackets: 4 });
  });

  test("/proc/meminfo: kB are KiB", () => {
    const parsed = parseMeminfo("MemTotal:        3884376 kB\nMemAvailable:    2000000 kB\nHugePages_Total:       0\n");
    assert.equal(parsed.get("MemTotal"), 3884376 * 1024);
    assert.equal(parsed.get("MemAvailable"), 2000000 * 1024);
    assert.equal(parsed.get("HugePages_Total"), 0);
  });

  test("mount points become metric name parts", () => {
    assert.equal(mountName("/"), "root");
    assert.equal(mountName("/boot/firmware"), "boot_firmware");
    assert.equal(mountName("/mnt/usb disk/"), "mnt_usb_disk");
  });
});
