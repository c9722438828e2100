import type { MetricValue } from "@telehub/device-client/protocol";

/** A registered device as the metadata store holds it. */
export interface DeviceRecord {
  id: string;
  name: string;
  /** Hash of the device's secret token; the token itself is never stored. */
  tokenHash: string;
  createdAt: number;
  updatedAt: number;
  /** Last time the hub heard from the device (any frame or heartbeat); null if never. */
  lastSeenAt: number | null;
  firmware: string | null;
  model: string | null;
  /** Attributes the device reported in its last `hello`. */
  attributes: Record<string, MetricValue>;
  /** Labels set by operators. */
  labels: Record<string, string>;
  /** Device clock minus hub clock at the last `hello`, ms; null if the device sent no time. */
  clockSkewMs: number | null;
  revokedAt: number | null;
  /** The device's profile (`/profiles/:id`); null if it has none. */
  profileId: string | null;
  /** The command names the device's last `hello` listed (`cmds`); [] if it listed none. */
  reportedCommands: string[];
}

export type DeviceSortField = "id" | "name" | "createdAt" | "lastSeenAt" | "firmware" | "model";

export interface DeviceListQuery {
  limit: number;
  offset: number;
  sort: DeviceSortField;
  order: "asc" | "desc";
  /** Case-insensitive substring of id or name. */
  search?: string;
  /** Only these ids (e.g. the connected ones). */
  ids?: readonly string[];
  /** Only ids not in this list (e.g. the offline ones). */
  excludeIds?: readonly string[];
  revoked?: boolean;
  model?: string;
  firmware?: string;
  /** Only devices with this profile. */
  profileId?: string;
  /** Only devices that have every one of these labels with exactly this value. */
  labels?: Readonly<Record<string, string>>;
  /** Only devices the hub has heard from at least once (true), or never (false). */
  seen?: boolean;
}

/** How many devices have one value of a field (null: the field is not set). */
export interface FieldCount {
  value: string | null;
  count: number;
}

/** The fleet in numbers, counted by the registry: the connection state is the caller's (`connectedIds`). */
export interface FleetCounts {
  total: number;
  revoked: number;
  /** Not revoked, and among the connected ids. */
  online: number;
  /** Not revoked, not connected, heard from before. */
  offline: number;
  /** Not revoked, not connected, never heard from. */
  never: number;
  firmware: FieldCount[];
  models: FieldCount[];
  profiles: FieldCount[];
  labels: { key: string; value: string; count: number }[];
}

export interface DeviceHello {
  firmware: string | null;
  model: string | null;
  /** The attributes the hello carried, replacing the recorded ones; null (a hello without `attrs`) keeps them. */
  attributes: Record<string, MetricValue> | null;
  clockSkewMs: number | null;
  /** The command names the hello listed (`cmds`), replacing the recorded ones; absent: it listed none. */
  commands?: string[];
  at: number;
}

/** A device's token replaced by a rotation with a grace period. */
export interface PreviousToken {
  tokenHash: string;
  /** It authenticates before this time (ms since the epoch), not from then on. */
  validUntil: number;
}

/** What authenticating a device checks: its token's hash, and the one a rotation replaced (if any). */
export interface DeviceTokenHashes {
  tokenHash: string;
  previous: PreviousToken | undefined;
}

/** What a new device is made of; `at` becomes its `createdAt`. */
export interface NewDevice {
  id: string;
  name: string;
  tokenHash: string;
  labels: Record<string, string>;
  /** Its profile; an unknown one rejects with `UnknownProfileError`. Default: none. */
  profileId?: string | null;
  at: number;
}

/** Device registry. Async so that a server database can implement it. */
export interface DeviceRepository {
  /** Create a device; rejects with `DuplicateDeviceError` if the id is taken. */
  create(device: NewDevice): Promise<DeviceRecord>;
  get(id: string): Promise<DeviceRecord | undefined>;
  list(query: DeviceListQuery): Promise<{ items: DeviceRecord[]; total: number }>;
  /** `profileId` null takes the profile away; an unknown one rejects with `UnknownProfileError`. */
  update(
    id: string,
    patch: { name?: string; labels?: Record<string, string>; profileId?: string | null },
    at: number,
  ): Promise<DeviceRecord | undefined>;
  /** Give the device this profile if it has none (auto-assignment at `hello`); false if it had one (or is gone). */
  assignProfileIfNone(id: string, profileId: string, at: number): Promise<boolean>;
  /**
   * Replace the token (and reinstate a revoked device). With `previousValidUntil` the token
   * replaced keeps working until then (a rotation's grace period); without, it stops at once.
   */
  setTokenHash(id: string, tokenHash: string, at: number, previousValidUntil?: number): Promise<boolean>;
  /** The token a rotation replaced, while its grace period may still run; undefined if there is none. */
  previousToken(id: string): Promise<PreviousToken | undefined>;
  /**
   * A device's token hashes, in one read that costs the same whether the device exists or not
   * (authentication must not tell an unknown id from a wrong token by its time); undefined if there is none.
   */
  tokenHashes(id: string): Promise<DeviceTokenHashes | undefined>;
  /** Mark revoked (a token in its grace period stops too); a revoked device cannot connect until its token is rotated. */
  revoke(id: string, at: number): Promise<boolean>;
  delete(id: string): Promise<boolean>;
  recordHello(id: string, hello: DeviceHello): Promise<void>;
  /** Merge attributes the device reported (a `report` frame) into the stored ones. */
  mergeAttributes(id: string, attributes: Record<string, MetricValue>, at: number): Promise<void>;
  /** Persist last-seen times (batched by the gateway). */
  touchLastSeen(entries: readonly { id: string; at: number }[]): Promise<void>;
  /** Counts by state and by firmware, model, profile and label, over all devices; `connectedIds` are the devices connected now. */
  fleetCounts(connectedIds: readonly string[]): Promise<FleetCounts>;
}

export class DuplicateDeviceError extends Error {
  constructor(readonly deviceId: string) {
    super(`device ${deviceId} already exists`);
    this.name = "DuplicateDeviceError";
  }
}
