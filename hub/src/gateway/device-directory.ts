import type { HubFrame, ProtocolErrorCode } from "@telehub/device-client/protocol";
import type { DeviceTransport } from "./device-link.js";
import type { PresenceInfo } from "./device-presence.js";

/** A device session as the directory sees it (a `DeviceSession` is one). */
export interface DirectorySession {
  /** The device's id. */
  readonly id: string;
  readonly connectedAt: number;
  readonly transport: DeviceTransport;
  readonly remoteAddress: string;
}

/** What the directory asks of this instance's gateway: its sessions, on behalf of other instances. */
export interface LocalDevices {
  /** Hand a frame routed from another instance to the device's open session here; false if it has none. */
  deliver(deviceId: string, frame: HubFrame): boolean;
  /**
   * A newer session of the device, on another instance, claimed it: close `session` with
   * `TH_SESSION_REPLACED` if it is still the device's session here.
   */
  replaced(session: DirectorySession): void;
  /** Close the device's session here with `code` (another instance's API asked); false if it has none. */
  disconnect(deviceId: string, code: ProtocolErrorCode): boolean;
  /** Resolves once no write of the device's sessions here is pending. */
  settled(deviceId: string): Promise<void>;
  /**
   * Frames routed here may have been lost while this instance was away from the others (a NATS
   * reconnect): send every open session's pending commands and configuration again, as after a hello.
   */
  resendPending(): void;
}

/**
 * Where the devices connected to other hub instances are (docs/cluster.md). The gateway keeps
 * its own sessions; the directory tells the other instances about them (a claim per session:
 * the newest claim anywhere wins), answers for the devices they hold, and routes frames and
 * disconnects to them. The single-node hub's directory ({@link LocalDeviceDirectory}) knows
 * no other instance: every method does nothing.
 *
 * Nothing here is awaited on the gateway's hot path: `opened`, `closed` and `send` start what
 * they need and return at once.
 */
export interface DeviceDirectory {
  /** The gateway whose sessions this directory claims and serves. Called once, by the gateway. */
  attach(local: LocalDevices): void;
  /** A session opened here (authenticated, before its hello): claim the device for it. */
  opened(session: DirectorySession): void;
  /** A session here ended: give up its claim, unless a newer session's replaced it. */
  closed(session: DirectorySession): void;
  /** Route a frame to the instance holding the device; false when no live instance holds it. */
  send(deviceId: string, frame: HubFrame): boolean;
  /** Devices held by other live instances (none of this instance's). */
  connectedIds(): readonly string[];
  /** Presence of a device held by another live instance; undefined if none holds it. */
  presence(deviceId: string): PresenceInfo | undefined;
  /** Ask the instance holding the device to close its session with `code`; false when no live instance holds it. */
  disconnect(deviceId: string, code: ProtocolErrorCode): boolean;
  /** Resolves once a session closed by `disconnect` on another instance has no write pending (at once if none). */
  settled(deviceId: string): Promise<void>;
  /** Stop: give up this instance's claims and heartbeat (called by the gateway's `close`, after its sessions are closed). */
  close(): Promise<void>;
}

const NONE: readonly string[] = Object.freeze([]);

/** The single-node hub's directory: there is no other instance. */
export class LocalDeviceDirectory implements DeviceDirectory {
  attach(): void {}
  opened(): void {}
  closed(): void {}
  send(): boolean {
    return false;
  }
  connectedIds(): readonly string[] {
    return NONE;
  }
  presence(): PresenceInfo | undefined {
    return undefined;
  }
  disconnect(): boolean {
    return false;
  }
  settled(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
