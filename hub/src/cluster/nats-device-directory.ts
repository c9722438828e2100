import { randomUUID } from "node:crypto";
import { type KV, Kvm, type KvWatchEntry } from "@nats-io/kv";
import type { Msg, NatsConnection, Status, Subscription } from "@nats-io/transport-node";
import type { HubFrame, ProtocolErrorCode } from "@telehub/device-client/protocol";
import type pino from "pino";
import type { DeviceDirectory, DirectorySession, LocalDevices } from "../gateway/device-directory.js";
import type { PresenceInfo } from "../gateway/device-presence.js";
import { BucketWatch } from "./bucket-watch.js";
import type { ClusterNames } from "./cluster-names.js";
import { deviceIdOfToken, deviceToken } from "./device-token.js";
import { type DisconnectAnswer, encodeRouted, parseRouted } from "./instance-frames.js";
import { InstanceHeartbeat, MISSED_BEATS } from "./instance-heartbeat.js";
import { InstanceRegistry } from "./instance-registry.js";
import { encodeClaim, type PresenceClaim, parseClaim } from "./presence-claim.js";

/** How long a routed disconnect waits for the holding instance's answer (its session's writes settled). */
const DISCONNECT_ANSWER_MS = 10_000;
/** How long opening waits for the buckets' current entries before answering without them. */
const CATCH_UP_MS = 5_000;

export interface NatsDeviceDirectoryOptions {
  /** This instance's NATS connection (the directory does not close it). */
  nats: NatsConnection;
  names: ClusterNames;
  /** This instance's id (`instanceIdOf`). */
  instanceId: string;
  /** Replicas of the presence and instances buckets (`cluster.replicas`). */
  replicas: number;
  /** How often this instance beats (`cluster.heartbeatIntervalMs`); it is dead to the others after 3 missed beats. */
  heartbeatIntervalMs: number;
  log: pino.Logger;
}

/** A claim as the bucket holds it. */
interface ClaimEntry {
  claim: PresenceClaim;
  revision: number;
}

/** A session of this instance and its claim. */
interface OwnClaim {
  session: DirectorySession;
  sessionId: string;
  /** The claim's revision in the bucket, once known (its put answered, or the watch saw it). */
  revision: number | undefined;
  /** The put, resolving with the revision (undefined if it failed and the session ended meanwhile). */
  written: Promise<number | undefined>;
}

/**
 * The cluster's {@link DeviceDirectory} on NATS JetStream (docs/cluster.md, "Devices across
 * instances"):
 *
 * - each session opened here puts a {@link PresenceClaim} in the presence bucket (key
 *   `deviceToken(id)`), over whatever was there: the newest claim wins;
 * - every instance watches the bucket (kept in memory): an instance whose session's claim is
 *   overwritten by a later one (a higher revision) closes that session with `TH_SESSION_REPLACED`;
 * - a session that ends deletes its claim only if it is still its own (compare-and-delete on the revision);
 * - a claim counts only while its instance (in the life that wrote it) beats in the instances bucket;
 * - frames and disconnects for a device held elsewhere go to `<p>.frames.<holder>`.
 */
export class NatsDeviceDirectory implements DeviceDirectory {
  private local: LocalDevices | undefined;
  /** Every claim in the presence bucket, by device id. */
  private readonly claims = new Map<string, ClaimEntry>();
  /** This instance's sessions' claims, by device id. */
  private readonly own = new Map<string, OwnClaim>();
  /** Routed disconnects waiting for their answer, by device id. */
  private readonly disconnecting = new Map<string, Promise<void>>();
  /** Puts and deletes in flight (waited for by `close`). */
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly bootId = randomUUID();
  private readonly heartbeat: InstanceHeartbeat;
  private readonly registry: InstanceRegistry;
  private watch: BucketWatch | undefined;
  private subscription: Subscription | undefined;
  private stopStatuses: (() => void) | undefined;
  private stopped = false;

  private constructor(
    private readonly options: NatsDeviceDirectoryOptions,
    private readonly presenceKv: KV,
    instancesKv: KV,
  ) {
    const { instanceId, heartbeatIntervalMs, log } = options;
    this.heartbeat = new InstanceHeartbeat(instancesKv, { instanceId, bootId: this.bootId, intervalMs: heartbeatIntervalMs }, log);
    this.registry = new InstanceRegistry(instancesKv, log);
  }

  /**
   * Create (or bind) the buckets, beat once, learn the instances and claims there are, and start
   * taking routed frames. Resolves when the directory can answer.
   */
  static async open(options: NatsDeviceDirectoryOptions): Promise<NatsDeviceDirectory> {
    const { nats, names, replicas, heartbeatIntervalMs } = options;
    const kvm = new Kvm(nats);
    const presence = await kvm.create(names.presenceBucket, { history: 1, replicas });
    const instances = await kvm.create(names.instancesBucket, { history: 1, replicas, ttl: MISSED_BEATS * heartbeatIntervalMs });
    const directory = new NatsDeviceDirectory(options, presence, instances);
    await directory.start();
    return directory;
  }

  private async start(): Promise<void> {
    const { nats, names, instanceId, log } = this.options;
    await this.heartbeat.start();
    const instances = await this.registry.start();
    this.watch = await BucketWatch.start(this.presenceKv, (entry) => this.onClaim(entry), log);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, CATCH_UP_MS)));
    await Promise.race([Promise.all([instances.caughtUp, this.watch.caughtUp]), late]);
    clearTimeout(timer);
    this.subscription = nats.subscribe(names.frames(instanceId), { callback: (_error, msg) => this.onRouted(msg) });
    const statuses = nats.status();
    // The client's iterators can be stopped; the interface does not say so.
    this.stopStatuses = () => (statuses as { stop?: () => void }).stop?.();
    void this.followReconnections(statuses);
  }

  /** Call `listener` with the id of an instance that left or died (`InstanceRegistry.onLeft`). */
  onInstanceLeft(listener: (instanceId: string) => void): () => void {
    return this.registry.onLeft(listener);
  }

  attach(local: LocalDevices): void {
    this.local = local;
  }

  opened(session: DirectorySession): void {
    if (this.stopped) return;
    const sessionId = randomUUID();
    const claim: PresenceClaim = {
      instanceId: this.options.instanceId,
      bootId: this.bootId,
      sessionId,
      connectedAt: session.connectedAt,
      transport: session.transport,
      remoteAddress: session.remoteAddress,
    };
    const own: OwnClaim = { session, sessionId, revision: undefined, written: Promise.resolve(undefined) };
    this.own.set(session.id, own);
    own.written = this.track(this.writeClaim(own, claim, this.claims.get(session.id)?.revision ?? 0));
  }

  closed(session: DirectorySession): void {
    const own = this.own.get(session.id);
    if (own?.session !== session) return;
    this.own.delete(session.id);
    this.track(this.releaseClaim(own));
  }

  send(deviceId: string, frame: HubFrame): boolean {
    const holder = this.holder(deviceId);
    return holder !== undefined && this.route(holder.instanceId, { op: "frame", deviceId, frame });
  }

  connectedIds(): readonly string[] {
    const ids: string[] = [];
    for (const [deviceId] of this.claims) if (this.holder(deviceId)) ids.push(deviceId);
    return ids;
  }

  presence(deviceId: string): PresenceInfo | undefined {
    const claim = this.holder(deviceId);
    // The holder knows when the device was last heard from; the registry's last-seen (flushed by it) is the cluster's record.
    return (
      claim && {
        connectedAt: claim.connectedAt,
        lastSeenAt: claim.connectedAt,
        remoteAddress: claim.remoteAddress,
        transport: claim.transport,
        instanceId: claim.instanceId,
      }
    );
  }

  disconnect(deviceId: string, code: ProtocolErrorCode): boolean {
    const holder = this.holder(deviceId);
    if (!holder || this.stopped) return false;
    const subject = this.options.names.frames(holder.instanceId);
    let answered: Promise<void>;
    try {
      answered = this.options.nats
        .request(subject, encodeRouted({ op: "disconnect", deviceId, code }), { timeout: DISCONNECT_ANSWER_MS })
        .then(
          () => undefined,
          (error: unknown) =>
            this.options.log.warn({ err: error, deviceId, instanceId: holder.instanceId }, "no answer to a routed disconnect"),
        );
    } catch (error) {
      this.options.log.warn({ err: error, deviceId }, "could not route a disconnect");
      return false;
    }
    this.disconnecting.set(deviceId, answered);
    void answered.then(() => {
      if (this.disconnecting.get(deviceId) === answered) this.disconnecting.delete(deviceId);
    });
    return true;
  }

  settled(deviceId: string): Promise<void> {
    return this.disconnecting.get(deviceId) ?? Promise.resolve();
  }

  /** Stop taking frames, give up the claims still held (the gateway closed its sessions first), stop beating and watching. */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    try {
      this.subscription?.unsubscribe();
    } catch {
      // The connection is closed already.
    }
    await Promise.all([...this.inFlight]);
    await this.heartbeat.stop();
    this.stopStatuses?.();
    this.watch?.stop();
    this.registry.stop();
  }

  /** The claim of a device held by another instance that is alive in the life that claimed it. */
  private holder(deviceId: string): PresenceClaim | undefined {
    const claim = this.claims.get(deviceId)?.claim;
    if (!claim || claim.instanceId === this.options.instanceId) return undefined;
    return this.registry.isAlive(claim.instanceId, claim.bootId) ? claim : undefined;
  }

  private route(instanceId: string, message: Parameters<typeof encodeRouted>[0]): boolean {
    try {
      this.options.nats.publish(this.options.names.frames(instanceId), encodeRouted(message));
      return true;
    } catch (error) {
      this.options.log.warn({ err: error, instanceId }, "could not route a frame");
      return false;
    }
  }

  /**
   * Put the claim, over whatever is there. Tried again every beat while NATS is away and the
   * session lasts, unless a claim newer than the one seen at the session's start came meanwhile:
   * then that one is the newest, and this session is replaced.
   */
  private async writeClaim(own: OwnClaim, claim: PresenceClaim, seenAtOpen: number): Promise<number | undefined> {
    const key = deviceToken(own.session.id);
    for (;;) {
      try {
        const revision = await this.presenceKv.put(key, encodeClaim(claim));
        own.revision ??= revision;
        return revision;
      } catch (error) {
        if (this.own.get(own.session.id) !== own || this.stopped) return undefined;
        this.options.log.warn({ err: error, deviceId: own.session.id }, "could not claim the device; trying again");
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.heartbeatIntervalMs));
      if (this.own.get(own.session.id) !== own || this.stopped) return undefined;
      if ((this.claims.get(own.session.id)?.revision ?? 0) > seenAtOpen) {
        this.replace(own);
        return undefined;
      }
    }
  }

  /** Delete the session's claim if it is still the newest (compare-and-delete on its revision). */
  private async releaseClaim(own: OwnClaim): Promise<void> {
    const revision = await own.written;
    if (revision === undefined) return;
    try {
      await this.presenceKv.delete(deviceToken(own.session.id), { previousSeq: own.revision ?? revision });
    } catch {
      // A newer claim is there (or NATS is away: the claim counts only while this instance beats).
    }
  }

  /** A presence bucket entry, in revision order: keep the map, and close a session here that a newer claim replaced. */
  private onClaim(entry: KvWatchEntry): void {
    const deviceId = deviceIdOfToken(entry.key);
    if (entry.operation !== "PUT") {
      this.claims.delete(deviceId);
      return;
    }
    const claim = parseClaim(entry.value);
    if (!claim) {
      this.options.log.warn({ key: entry.key }, "a presence claim is not one; ignored");
      return;
    }
    this.claims.set(deviceId, { claim, revision: entry.revision });
    const ours = claim.instanceId === this.options.instanceId;
    // Left by this instance's previous life (a crash): it will never be released otherwise.
    if (ours && claim.bootId !== this.bootId) this.track(this.forget(entry));
    const own = this.own.get(deviceId);
    if (!own) return;
    if (ours && claim.sessionId === own.sessionId) {
      own.revision ??= entry.revision;
      return;
    }
    // The watch hands entries over in revision order: one after this session's own claim is newer.
    if (own.revision !== undefined && entry.revision > own.revision) this.replace(own);
  }

  private replace(own: OwnClaim): void {
    if (this.own.get(own.session.id) === own) this.own.delete(own.session.id);
    this.local?.replaced(own.session);
  }

  private async forget(entry: KvWatchEntry): Promise<void> {
    try {
      await this.presenceKv.delete(entry.key, { previousSeq: entry.revision });
    } catch {
      // Claimed again meanwhile.
    }
  }

  /** A frame or a disconnect routed here by another instance. */
  private onRouted(msg: Msg): void {
    const message = parseRouted(msg.data);
    const { local } = this;
    if (!message || !local) return;
    if (message.op === "frame") {
      if (local.deliver(message.deviceId, message.frame)) return;
      // The sender's view was behind (the device moved on): sent on once, to the holder this instance knows.
      const holder = message.forwarded ? undefined : this.holder(message.deviceId);
      if (holder) this.route(holder.instanceId, { ...message, forwarded: true });
      else this.options.log.debug({ deviceId: message.deviceId }, "a routed frame found no open session");
      return;
    }
    const closed = local.disconnect(message.deviceId, message.code);
    void local.settled(message.deviceId).then(() => {
      const answer: DisconnectAnswer = { closed };
      if (msg.reply) msg.respond(encodeRouted(answer));
    });
  }

  /**
   * After a reconnection to NATS: beat at once (the others may have counted this instance as dead),
   * and send every session's pending commands and configuration again (frames routed here meanwhile were lost).
   */
  private async followReconnections(statuses: AsyncIterable<Status>): Promise<void> {
    for await (const status of statuses) {
      if (this.stopped) return;
      if (status.type !== "reconnect") continue;
      void this.heartbeat.beatOnce();
      try {
        // Once the server has this instance's subscription again, a command stored after the resend's read is routed here.
        await this.options.nats.flush();
      } catch {
        continue; // gone again: the next reconnection resends
      }
      this.local?.resendPending();
    }
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    const done = (): void => void this.inFlight.delete(promise);
    promise.then(done, done);
    return promise;
  }
}
