import type { Server } from "node:http";
import type { ProtocolErrorCode } from "@telehub/device-client/protocol";
import type pino from "pino";
import type { HubConfig } from "../config/hub-config.js";
import type { BatchWriter } from "../ingest/batch-writer.js";
import type { HubMetrics } from "../metrics.js";
import type { DeviceRepository } from "../storage/device-repository.js";
import type { TelemetryStore } from "../storage/telemetry-store.js";
import type { DevicePresence, PresenceInfo } from "./device-presence.js";

export interface GatewayDeps {
  config: HubConfig;
  devices: DeviceRepository;
  telemetry: TelemetryStore;
  writer: BatchWriter;
  metrics: HubMetrics;
  log: pino.Logger;
  now: () => number;
}

/** Placeholder: being written. */
export class DeviceGateway implements DevicePresence {
  constructor(readonly deps: GatewayDeps) {}
  attach(_server: Server): void {}
  connectedIds(): string[] {
    return [];
  }
  presence(_deviceId: string): PresenceInfo | undefined {
    return undefined;
  }
  disconnect(_deviceId: string, _code: ProtocolErrorCode): boolean {
    return false;
  }
  async close(): Promise<void> {}
}
