import { readFileSync } from "node:fs";
import { hostname, release } from "node:os";
import type { MetricValue } from "../protocol/index.js";

/** The version of this package (`@telehub/device-client`), which is the agent's version. */
export const AGENT_VERSION: string = (
  JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** `PRETTY_NAME` of `/etc/os-release` (`Debian GNU/Linux 12 (bookworm)`), if there is one. */
export function osRelease(file = "/etc/os-release"): string | undefined {
  try {
    const match = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync(file, "utf8"));
    return match?.[1];
  } catch {
    return undefined;
  }
}

/**
 * The machine's model: the board from the device tree (`Raspberry Pi 4 Model B Rev 1.4`), or
 * off a Pi the DMI product name (`ThinkPad X1 Carbon`, `Standard PC (Q35 + ICH9, 2009)`), if
 * either is there.
 */
export function boardModel(deviceTreeFile = "/proc/device-tree/model", dmiFile = "/sys/class/dmi/id/product_name"): string | undefined {
  return firstLine(deviceTreeFile) ?? firstLine(dmiFile);
}

/** A small text file's content without NULs and surrounding blanks; undefined if unreadable or empty. */
function firstLine(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8").replace(/\0/g, "").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** What the agent tells the hub about the machine in `hello` (and in `report` when it changes). */
export function machineAttributes(): Record<string, MetricValue> {
  const attributes: Record<string, MetricValue> = {
    hostname: hostname(),
    arch: process.arch,
    kernel: release(),
    agent_version: AGENT_VERSION,
    node_version: process.versions.node,
  };
  const os = osRelease();
  if (os !== undefined) attributes.os = os;
  return attributes;
}
