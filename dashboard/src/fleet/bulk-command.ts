import type { FleetDevice, FleetProfile } from "./fleet-types";

/** A command the bulk dialog offers, with where it was found. */
export interface OfferedCommand {
  name: string;
  description?: string;
}

/** The union of the devices' profile commands and reported commands (`hello.cmds`), by name. */
export function commandsOf(devices: readonly FleetDevice[], profiles: ReadonlyMap<string, FleetProfile>): OfferedCommand[] {
  const offered = new Map<string, OfferedCommand>();
  for (const device of devices) {
    const profile = device.profileId ? profiles.get(device.profileId) : undefined;
    for (const command of profile?.commands ?? [])
      if (!offered.get(command.name)?.description) offered.set(command.name, { name: command.name, description: command.description });
    for (const name of device.reportedCommands ?? []) if (!offered.has(name)) offered.set(name, { name });
  }
  return [...offered.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** One device's answer in `POST /commands/bulk`. */
export interface BulkResult {
  deviceId: string;
  status: number;
  command?: { id: string };
  error?: { code?: string; message?: string };
}

/** Queued (201 created, 200 idempotent replay) and refused (any other status) devices of a bulk answer. */
export function tallyOf(results: readonly BulkResult[]): { queued: BulkResult[]; refused: BulkResult[] } {
  const queued = results.filter((result) => result.status === 200 || result.status === 201);
  return { queued, refused: results.filter((result) => !queued.includes(result)) };
}
