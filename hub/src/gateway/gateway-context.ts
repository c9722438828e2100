import type pino from "pino";
import type { HubConfig } from "../config/hub-config.js";
import type { BatchWriter } from "../ingest/batch-writer.js";
import type { HubMetrics } from "../metrics.js";
import type { DeviceRepository } from "../storage/device-repository.js";
import type { TelemetryStore } from "../storage/telemetry-store.js";
import type { DeviceSession } from "./device-session.js";

/** The parts of the hub the device gateway works with. */
export interface GatewayDeps {
  config: HubConfig;
  devices: DeviceRepository;
  telemetry: TelemetryStore;
  writer: BatchWriter;
  metrics: HubMetrics;
  log: pino.Logger;
  now: () => number;
}

/** What sessions and frame handlers share: the hub's parts and the gateway's callbacks. */
export interface GatewayContext extends GatewayDeps {
  /** The session this one replaced (same device), if it is still finishing its writes. */
  replacedSession(session: DeviceSession): DeviceSession | undefined;
  onHandshakeDone(): void;
  onSessionClosed(session: DeviceSession): void;
}
