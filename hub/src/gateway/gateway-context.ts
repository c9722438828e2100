import type { Duplex } from "node:stream";
import type pino from "pino";
import type { ReadingObserver } from "../alarms/reading-observer.js";
import type { CommandService } from "../commands/command-service.js";
import type { HubConfig } from "../config/hub-config.js";
import type { DesiredConfigService } from "../desired-config/desired-config-service.js";
import type { DrainState } from "../drain-state.js";
import type { BatchAdmission } from "../ingest/batch-admission.js";
import type { BatchWriter } from "../ingest/batch-writer.js";
import type { LiveFeed } from "../live/live-hub.js";
import type { HubMetrics } from "../metrics.js";
import type { HelloProfiles } from "../profiles/profile-service.js";
import type { ClientAddresses } from "../security/client-address.js";
import type { FailureThrottle } from "../security/failure-throttle.js";
import type { DeviceRepository } from "../storage/device-repository.js";
import type { TelemetryStore } from "../storage/telemetry-store.js";
import type { DeviceDirectory } from "./device-directory.js";
import type { DeviceSession } from "./device-session.js";

/** The parts of the hub the device gateway works with. */
export interface GatewayDeps {
  config: HubConfig;
  devices: DeviceRepository;
  telemetry: TelemetryStore;
  writer: BatchWriter;
  /** What a validated batch passes before it is queued: timestamps, types and metric limits. */
  admission: BatchAdmission;
  metrics: HubMetrics;
  log: pino.Logger;
  now: () => number;
  /** Where command receipts and results go, and what sends pending commands when a device connects. */
  commands: CommandService;
  /** Where configuration acknowledgements go, and what sends a newer configuration when a device connects. */
  desiredConfig: DesiredConfigService;
  /** What gives a device without a profile one at its hello (by model or firmware). */
  profiles: HelloProfiles;
  /** Where durable readings and presence changes go on to dashboards. */
  live: LiveFeed;
  /** Where durable readings and presence changes go on to alarm rules (queued: never awaited). */
  alarms: ReadingObserver;
  /** Backoff on repeated device authentication failures per (device id, address). */
  authThrottle: FailureThrottle;
  /** The client address of an upgrade (trusted proxies' headers believed). */
  clientAddresses: ClientAddresses;
  /** Told of each accepted upgrade's socket: from then on `gateway.maxConnectionsPerAddress` counts it, not `http.maxConnectionsPerAddress`. */
  connectionAccepted?: (socket: Duplex) => void;
  /** Where devices on other hub instances are (a cluster, docs/cluster.md). Default: none (`LocalDeviceDirectory`). */
  directory?: DeviceDirectory;
  /** The hub's drain before shutdown: while it lasts, new device sessions are refused. Default: never draining. */
  drain?: DrainState;
}

/** What sessions and frame handlers share: the hub's parts and the gateway's callbacks. */
export interface GatewayContext extends GatewayDeps {
  /** The session this one replaced (same device), if it is still finishing its writes. */
  replacedSession(session: DeviceSession): DeviceSession | undefined;
  /** The session's handshake is over (welcomed, or closed without a welcome): its admission slot is free. */
  onHandshakeDone(session: DeviceSession): void;
  onSessionClosed(session: DeviceSession): void;
}
