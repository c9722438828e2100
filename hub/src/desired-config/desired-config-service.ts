import type { ConfigAckFrame, DataValue } from "@telehub/device-client/protocol";
import type { DeviceChannel } from "../commands/device-channel.js";
import type { EventBus } from "../events/event-bus.js";
import type { SecretMarking } from "../security/secret-marking.js";
import type { DesiredConfigStore, DeviceConfigRecord } from "./desired-config-store.js";

/**
 * Desired configuration (the device-twin idea): operators set a full document, each change a
 * new version; a connected device gets it at once, an offline one at its next connection when
 * the version it reports applied is behind. The device's `config_ack` is recorded. Events carry
 * the document with its secret values redacted (the bus feeds the live channel and webhooks).
 */
export class DesiredConfigService {
  constructor(
    private readonly deps: { store: DesiredConfigStore; channel: DeviceChannel; bus: EventBus; now: () => number; secrets: SecretMarking },
  ) {}

  get(deviceId: string): Promise<DeviceConfigRecord | undefined> {
    return this.deps.store.get(deviceId);
  }

  async set(deviceId: string, document: { [key: string]: DataValue }, actor: string | null): Promise<DeviceConfigRecord> {
    const config = await this.deps.store.set(deviceId, document, this.deps.now(), actor);
    this.deps.bus.publish({ type: "config.updated", at: config.updatedAt, config: this.redacted(config) });
    this.deps.channel.send(deviceId, { t: "config", v: config.version, d: config.document });
    return config;
  }

  /** A session opened; `appliedVersion` is what the device's hello says it has (undefined: not said). */
  async sessionOpened(deviceId: string, appliedVersion: number | undefined): Promise<void> {
    const config = await this.deps.store.get(deviceId);
    if (!config) return;
    const applied = appliedVersion ?? config.reportedVersion;
    if (config.version > applied) this.deps.channel.send(deviceId, { t: "config", v: config.version, d: config.document });
  }

  async acknowledged(deviceId: string, frame: ConfigAckFrame): Promise<void> {
    const config = await this.deps.store.report(deviceId, frame.v, frame.ok ? null : (frame.err ?? "not applied"), this.deps.now());
    if (config) this.deps.bus.publish({ type: "config.reported", at: this.deps.now(), config: this.redacted(config) });
  }

  private redacted(config: DeviceConfigRecord): DeviceConfigRecord {
    return { ...config, document: this.deps.secrets.redact(config.document) };
  }
}
