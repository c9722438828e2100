import type { ProfileChart, ProfileDefinition, ProfileMetric } from "../profile.js";
import { noArgsCommand } from "./shared.js";

const gauge = (name: string, displayName: string, unit?: string, decimals?: number, range?: ProfileMetric["range"]): ProfileMetric => ({
  name,
  type: "number",
  kind: "gauge",
  displayName,
  ...(unit !== undefined && { unit }),
  ...(decimals !== undefined && { decimals }),
  ...(range !== undefined && { range }),
});

const percent = (name: string, displayName: string): ProfileMetric => gauge(name, displayName, "%", 1, { min: 0, max: 100 });

/** The disk collector's figures for one mount point (`root` is `/`). */
function disk(mount: string, label: string): ProfileMetric[] {
  return [
    gauge(`disk.${mount}.total_bytes`, `Disk ${label} size`, "B", 0),
    gauge(`disk.${mount}.free_bytes`, `Disk ${label} free`, "B", 0),
    percent(`disk.${mount}.used_pct`, `Disk ${label} used`),
  ];
}

/**
 * The network collector's counters for one interface. Interfaces are named by the machine, so the
 * profile lists the Pi's usual two; others are still shown, marked "not in profile".
 */
function network(iface: string): ProfileMetric[] {
  const counter = (name: string, displayName: string, unit: string): ProfileMetric => ({
    name: `net.${iface}.${name}`,
    type: "number",
    kind: "counter",
    displayName: `${iface} ${displayName}`,
    unit,
    decimals: 0,
    range: { min: 0 },
  });
  return [
    counter("rx_bytes", "received", "B"),
    counter("tx_bytes", "sent", "B"),
    counter("rx_packets", "packets received", "packets"),
    counter("tx_packets", "packets sent", "packets"),
  ];
}

const METRICS: ProfileMetric[] = [
  gauge("cpu.temp_c", "CPU temperature", "°C", 1, { min: 0, max: 90 }),
  gauge("thermal.cpu-thermal.temp_c", "Thermal zone cpu-thermal", "°C", 1, { min: 0, max: 90 }),
  gauge("load.1m", "Load 1 min", undefined, 2, { min: 0 }),
  gauge("load.5m", "Load 5 min", undefined, 2, { min: 0 }),
  gauge("load.15m", "Load 15 min", undefined, 2, { min: 0 }),
  gauge("cpu.count", "CPUs", undefined, 0),
  gauge("mem.total_bytes", "Memory size", "B", 0),
  gauge("mem.available_bytes", "Memory available", "B", 0),
  percent("mem.used_pct", "Memory used"),
  gauge("swap.total_bytes", "Swap size", "B", 0),
  gauge("swap.used_bytes", "Swap used", "B", 0),
  ...disk("root", "/"),
  ...disk("boot_firmware", "/boot/firmware"),
  ...network("eth0"),
  ...network("wlan0"),
  gauge("uptime_s", "Uptime", "s", 0, { min: 0 }),
  gauge("agent.uptime_s", "Agent uptime", "s", 0, { min: 0 }),
];

const hidden = (title: string, metrics: string[]): ProfileChart => ({ title, metrics, shown: false });

/** The Raspberry Pi agent (device-client/src/agent): its collectors' metrics, its four commands. */
export const PI_AGENT_PROFILE: ProfileDefinition = {
  id: "pi-agent",
  name: "Raspberry Pi agent",
  description:
    "A Linux machine running telehub-agent: CPU temperature, load, memory, disk and network counters, uptime (docs/raspberry-pi.md).",
  match: { firmware: ["telehub-agent *"] },
  metrics: METRICS,
  commands: [
    noArgsCommand("ping", "Answers pong with the machine's and the agent's uptime and the agent version"),
    {
      name: "set_interval",
      description: "Collect every `seconds` from now on, also after a restart",
      args: {
        type: "object",
        required: ["seconds"],
        properties: { seconds: { type: "number", minimum: 1, maximum: 86_400, description: "Seconds between two rounds" } },
        additionalProperties: false,
      },
    },
    {
      name: "run_script",
      description: "Run one of the scripts named in the agent's configuration (`scripts`) and answer its output",
      args: {
        type: "object",
        required: ["name"],
        properties: { name: { type: "string", minLength: 1, description: "A script name from the agent's `scripts`" } },
        additionalProperties: false,
      },
    },
    noArgsCommand("reboot", 'Reboot the machine (refused unless the agent\'s configuration says "allowReboot": true)'),
  ],
  layout: {
    charts: [
      { title: "CPU temperature", metrics: ["cpu.temp_c"] },
      { title: "Load", metrics: ["load.1m", "load.5m", "load.15m"] },
      { title: "Memory used", metrics: ["mem.used_pct"] },
      { title: "Disk / used", metrics: ["disk.root.used_pct"] },
      { title: "Network eth0", metrics: ["net.eth0.rx_bytes", "net.eth0.tx_bytes"] },
      { title: "Network wlan0", metrics: ["net.wlan0.rx_bytes", "net.wlan0.tx_bytes"] },
      hidden("Uptime", ["uptime_s"]),
      hidden("Agent uptime", ["agent.uptime_s"]),
      hidden("Memory", ["mem.total_bytes", "mem.available_bytes"]),
      hidden("Swap", ["swap.total_bytes", "swap.used_bytes"]),
      hidden("Disk / space", ["disk.root.total_bytes", "disk.root.free_bytes"]),
      hidden("Disk /boot/firmware used", ["disk.boot_firmware.used_pct"]),
      hidden("Disk /boot/firmware space", ["disk.boot_firmware.total_bytes", "disk.boot_firmware.free_bytes"]),
      hidden("Packets eth0", ["net.eth0.rx_packets", "net.eth0.tx_packets"]),
      hidden("Packets wlan0", ["net.wlan0.rx_packets", "net.wlan0.tx_packets"]),
      hidden("Thermal zone cpu-thermal", ["thermal.cpu-thermal.temp_c"]),
      hidden("CPUs", ["cpu.count"]),
    ],
  },
};
