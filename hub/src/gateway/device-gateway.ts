import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { type HubFrame, type ProtocolErrorCode, SUBPROTOCOL } from "@telehub/device-client/protocol";
import { WebSocketServer } from "ws";
import type { DeviceChannel } from "../commands/device-channel.js";
import { DRAINING_REFUSAL } from "../drain-state.js";
import type { DeviceRecord } from "../storage/device-repository.js";
import { type AdmissionRefusal, handshakeRefusal, screenCredentials, verifyCredentials } from "./device-admission.js";
import { offeredSubprotocols, readDeviceCredentials } from "./device-credentials.js";
import { type DeviceDirectory, type DirectorySession, LocalDeviceDirectory } from "./device-directory.js";
import type { DeviceLink } from "./device-link.js";
import type { DevicePresence, PresenceInfo } from "./device-presence.js";
import { DeviceSession } from "./device-session.js";
import type { GatewayContext, GatewayDeps } from "./gateway-context.js";
import { HandshakeSlots } from "./handshake-slots.js";
import { HeartbeatSchedule } from "./heartbeat-schedule.js";
import { HttpDeviceTransport } from "./http/http-device-transport.js";
import { refuseUpgrade, statusOf } from "./upgrade-refusal.js";
import { WebSocketLink } from "./websocket-link.js";

/** How long shutdown waits for a session's pending writes before closing it anyway. */
const SHUTDOWN_SETTLE_MS = 10_000;
/** Most last-seen times written in one transaction. */
const LAST_SEEN_CHUNK = 100;

/**
 * Where devices come in: authenticates each WebSocket upgrade before accepting it (and each HTTP
 * transport request, `HttpDeviceTransport`), applies admission control, keeps one session per
 * device over either transport (the newest wins), pings every quiet WebSocket session, and
 * persists last-seen times. Devices on other hub instances are its {@link DeviceDirectory}'s:
 * frames and disconnects for them are routed there, and presence answers for them too.
 */
export class DeviceGateway implements DevicePresence, DeviceChannel {
  private readonly wss: WebSocketServer;
  private readonly sessions = new Map<string, DeviceSession>();
  /** Open connections per client address. */
  private readonly perAddress = new Map<string, number>();
  /** Sessions that were replaced and may still be finishing their writes. */
  private readonly replaced = new Map<DeviceSession, DeviceSession>();
  private readonly context: GatewayContext;
  private readonly handshakes: HandshakeSlots;
  private readonly http: HttpDeviceTransport;
  private stopping = false;
  private readonly heartbeats: HeartbeatSchedule<DeviceSession>;
  private lastSeenTimer: NodeJS.Timeout | undefined;
  private readonly flushedLastSeen = new Map<string, number>();
  /** Last-seen times of sessions that closed since the last write. */
  private readonly closedLastSeen = new Map<string, number>();
  private readonly directory: DeviceDirectory;

  constructor(private readonly deps: GatewayDeps) {
    const { config } = deps;
    this.directory = deps.directory ?? new LocalDeviceDirectory();
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: config.limits.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    this.handshakes = new HandshakeSlots(
      { maxConcurrent: config.gateway.maxConcurrentHandshakes, maxPerAddress: config.gateway.maxHandshakesPerAddress },
      (inProgress) => deps.metrics.handshakesInProgress.set(inProgress),
    );
    this.context = {
      ...deps,
      replacedSession: (session) => this.replaced.get(session),
      onHandshakeDone: (session) => this.handshakes.release(session.remoteAddress),
      onSessionClosed: (session) => this.onSessionClosed(session),
    };
    this.heartbeats = new HeartbeatSchedule(config.gateway.heartbeatIntervalMs, (session) => this.heartbeat(session));
    const { maxPolls, maxPollsPerAddress } = config.gateway.http;
    this.http = new HttpDeviceTransport(deps, {
      stopping: () => this.stopping,
      isFull: (deviceId) => this.isFull(deviceId),
      handshakes: this.handshakes,
      polls: new HandshakeSlots({ maxConcurrent: maxPolls, maxPerAddress: maxPollsPerAddress }, (held) => deps.metrics.httpPolls.set(held)),
      openSession: (link, device, remoteAddress) => this.openSession(link, device, remoteAddress),
    });
    this.directory.attach({
      deliver: (deviceId, frame) => this.sendHere(deviceId, frame),
      replaced: (session) => this.replacedElsewhere(session),
      disconnect: (deviceId, code) => this.disconnectHere(deviceId, code),
      settled: (deviceId) => this.settledHere(deviceId),
      resendPending: () => this.resendPending(),
    });
  }

  /** Start the heartbeat and last-seen timers. */
  start(): void {
    this.heartbeats.start();
    const { lastSeenFlushMs } = this.deps.config.gateway;
    this.lastSeenTimer = setInterval(() => void this.flushLastSeen(), lastSeenFlushMs);
  }

  /**
   * {@link DeviceChannel}: send a frame to a device's open session (after its welcome), here or,
   * when the device has no session here, on the instance that holds it.
   */
  send(deviceId: string, frame: HubFrame): boolean {
    if (this.sessions.has(deviceId)) return this.sendHere(deviceId, frame);
    return this.directory.send(deviceId, frame);
  }

  connectedIds(): string[] {
    const elsewhere = this.directory.connectedIds();
    const here = [...this.sessions.keys()];
    return elsewhere.length === 0 ? here : [...here, ...elsewhere.filter((id) => !this.sessions.has(id))];
  }

  presence(deviceId: string): PresenceInfo | undefined {
    const session = this.sessions.get(deviceId);
    if (!session) return this.directory.presence(deviceId);
    return {
      connectedAt: session.connectedAt,
      lastSeenAt: session.lastSeenAt,
      remoteAddress: session.remoteAddress,
      transport: session.transport,
    };
  }

  disconnect(deviceId: string, code: ProtocolErrorCode): boolean {
    return this.disconnectHere(deviceId, code) || this.directory.disconnect(deviceId, code);
  }

  async settled(deviceId: string): Promise<void> {
    await Promise.all([this.settledHere(deviceId), this.directory.settled(deviceId)]);
  }

  /**
   * Graceful shutdown: refuse new upgrades, let every session's pending writes finish (so
   * their acks go out), then close each with 1001 and persist last-seen times.
   */
  async close(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.heartbeats.stop();
    clearInterval(this.lastSeenTimer);
    const sessions = [...this.sessions.values()];
    await Promise.all(
      sessions.map(async (session) => {
        // A store that hangs must not hold the shutdown forever; unacknowledged batches are resent.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([session.settled(), new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_SETTLE_MS)))]);
        clearTimeout(timer);
        session.closeWith("TH_HUB_STOPPING");
      }),
    );
    await Promise.all(sessions.map((session) => session.closed));
    await this.flushLastSeen();
    await this.directory.close();
    this.wss.close();
  }

  /** An HTTP transport request (`POST` on `DEVICE_PATH`, docs/protocol.md §10). */
  handleRequest(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    return this.http.handle(req, res, url);
  }

  /** A WebSocket upgrade on `DEVICE_PATH`: authenticate, apply admission control, then accept. */
  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    const { gateway } = this.deps.config;
    if (this.stopping) return this.refuse(socket, "TH_HUB_STOPPING", "the hub is shutting down", 503, 5);
    if (this.deps.drain?.draining) return this.refuseWith(socket, DRAINING_REFUSAL);
    const credentials = readDeviceCredentials(req, url);
    // A connected device that reconnects replaces its own session (the newest wins): it adds no connection.
    if (this.isFull(credentials?.deviceId)) return this.refuseFull(socket);
    const remoteAddress = this.deps.clientAddresses.of(req);
    const replacesOwn = credentials !== undefined && this.sessions.get(credentials.deviceId)?.remoteAddress === remoteAddress;
    if (
      gateway.maxConnectionsPerAddress > 0 &&
      !replacesOwn &&
      (this.perAddress.get(remoteAddress) ?? 0) >= gateway.maxConnectionsPerAddress
    ) {
      return this.refuse(
        socket,
        "TH_ADDRESS_FULL",
        `this address already holds ${gateway.maxConnectionsPerAddress} device connections`,
        503,
        30,
      );
    }
    if (!offeredSubprotocols(req).includes(SUBPROTOCOL)) {
      return this.refuse(socket, "TH_SUBPROTOCOL_REQUIRED", `offer the WebSocket subprotocol ${SUBPROTOCOL}`);
    }
    const screened = screenCredentials(this.deps, credentials, remoteAddress);
    if (screened) return this.refuseWith(socket, screened);
    if (!credentials) return;

    // Held until the welcome, or until the session is closed without one (docs/protocol.md §6).
    const noSlot = this.handshakes.take(remoteAddress);
    if (noSlot) return this.refuseWith(socket, handshakeRefusal(noSlot, gateway.maxHandshakesPerAddress));
    let accepted = false;
    try {
      const admitted = await verifyCredentials(this.deps, credentials, remoteAddress);
      if ("code" in admitted) return this.refuseWith(socket, admitted);
      const { device, validUntil } = admitted;
      if (socket.destroyed) return;
      // Others may have connected while this one authenticated.
      if (this.isFull(device.id)) return this.refuseFull(socket);
      // ws calls back at once, or not at all when it answers the upgrade with an error itself.
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        accepted = true;
        this.deps.connectionAccepted?.(socket);
        const link = new WebSocketLink(ws, gateway.closeTimeoutMs, this.deps.log, () =>
          this.deps.metrics.rejected.inc({ code: "TH_FRAME_TOO_LARGE" }),
        );
        const session = this.openSession(link, device, remoteAddress);
        if (validUntil !== undefined) session.expireCredentialAt(validUntil);
      });
    } finally {
      if (!accepted) this.handshakes.release(remoteAddress);
    }
  }

  private sendHere(deviceId: string, frame: HubFrame): boolean {
    const session = this.sessions.get(deviceId);
    if (session?.state !== "open") return false;
    session.send(frame);
    return true;
  }

  private disconnectHere(deviceId: string, code: ProtocolErrorCode): boolean {
    const session = this.sessions.get(deviceId);
    if (!session) return false;
    this.deps.metrics.rejected.inc({ code });
    session.closeWith(code);
    return true;
  }

  private async settledHere(deviceId: string): Promise<void> {
    const sessions = [this.sessions.get(deviceId), ...[...this.replaced.values()].filter((s) => s.id === deviceId)];
    await Promise.all(sessions.map((session) => session?.settled()));
  }

  /**
   * A newer session of the device on another instance claimed it: this one ends with
   * `TH_SESSION_REPLACED`. The device is still connected (there), so no presence change is told.
   */
  private replacedElsewhere(replaced: DirectorySession): void {
    const session = this.sessions.get(replaced.id);
    if (session !== replaced) return;
    this.sessions.delete(session.id);
    this.flushedLastSeen.delete(session.id);
    this.heartbeats.remove(session);
    this.deps.metrics.connectedDevices.set(this.sessions.size);
    this.deps.metrics.rejected.inc({ code: "TH_SESSION_REPLACED" });
    session.closeWith("TH_SESSION_REPLACED");
  }

  /** Commands still `sent` and a configuration not acknowledged go out again to every open session, as after a hello (§3.6, §3.8). */
  private resendPending(): void {
    const { commands, desiredConfig } = this.deps;
    for (const session of this.sessions.values()) {
      if (session.state !== "open") continue;
      const failed = (error: unknown): void => session.log.warn({ err: error }, "could not resend to the device");
      commands.deliverPending(session.id).catch(failed);
      desiredConfig.sessionOpened(session.id, undefined).catch(failed);
    }
  }

  /** Whether a connection of `deviceId` would be one more than `gateway.maxDevices`. */
  private isFull(deviceId: string | undefined): boolean {
    return this.sessions.size >= this.deps.config.gateway.maxDevices && (deviceId === undefined || !this.sessions.has(deviceId));
  }

  private refuseFull(socket: Duplex): void {
    this.refuse(socket, "TH_HUB_FULL", "the hub holds its maximum number of devices", 503, 30);
  }

  private refuseWith(socket: Duplex, refusal: AdmissionRefusal): void {
    this.refuse(socket, refusal.code, refusal.message, refusal.status, refusal.retryAfterS);
  }

  private refuse(socket: Duplex, code: ProtocolErrorCode, message: string, status = statusOf(code), retryAfterS?: number): void {
    this.deps.metrics.rejected.inc({ code });
    refuseUpgrade(socket, status, code, message, retryAfterS, this.deps.config.gateway.closeTimeoutMs);
  }

  /** A device's new session over `link`; the newest wins: the device's previous session, over either transport, is replaced. */
  private openSession(link: DeviceLink, device: DeviceRecord, remoteAddress: string): DeviceSession {
    const session = new DeviceSession(link, device, remoteAddress, this.context);
    if (link.transport === "ws") this.perAddress.set(remoteAddress, (this.perAddress.get(remoteAddress) ?? 0) + 1);
    const previous = this.sessions.get(device.id);
    this.sessions.set(device.id, session);
    if (link.ping) this.heartbeats.add(session);
    this.deps.metrics.connectedDevices.set(this.sessions.size);
    if (previous) {
      this.heartbeats.remove(previous);
      this.replaced.set(session, previous);
      this.deps.metrics.rejected.inc({ code: "TH_SESSION_REPLACED" });
      previous.closeWith("TH_SESSION_REPLACED");
      void previous.settled().then(() => this.replaced.delete(session));
    }
    this.directory.opened(session);
    return session;
  }

  private onSessionClosed(session: DeviceSession): void {
    if (session.transport === "ws") {
      const left = (this.perAddress.get(session.remoteAddress) ?? 1) - 1;
      if (left > 0) this.perAddress.set(session.remoteAddress, left);
      else this.perAddress.delete(session.remoteAddress);
    }
    this.heartbeats.remove(session);
    if (this.sessions.get(session.id) === session) {
      this.sessions.delete(session.id);
      this.flushedLastSeen.delete(session.id);
      this.deps.live.presenceChanged(session.id, false, this.deps.now());
      this.deps.alarms.presenceChanged(session.id, false, this.deps.now());
    }
    this.replaced.delete(session);
    this.directory.closed(session);
    this.deps.metrics.connectedDevices.set(this.sessions.size);
    // Written with every other session that closed in this turn: one transaction, not one sync per device.
    this.closedLastSeen.set(session.id, Math.max(session.lastSeenAt, this.closedLastSeen.get(session.id) ?? 0));
    if (this.closedLastSeen.size === 1) setImmediate(() => void this.flushLastSeen());
  }

  /**
   * A session's turn in the heartbeat schedule: drop it if the last ping went unanswered;
   * otherwise ping it, unless frames went both ways within the interval (both ends already
   * know the other is there, as with MQTT's keep-alive).
   */
  private heartbeat(session: DeviceSession): void {
    if (session.awaitingPong) {
      this.deps.metrics.rejected.inc({ code: "TH_HEARTBEAT_TIMEOUT" });
      session.log.info("no heartbeat answer; dropping the connection");
      session.closeWith("TH_HEARTBEAT_TIMEOUT");
      return;
    }
    const since = this.deps.now() - this.deps.config.gateway.heartbeatIntervalMs;
    if (session.lastSeenAt > since && session.lastSentAt > since) return;
    session.awaitingPong = true;
    session.link.ping?.();
  }

  private async flushLastSeen(): Promise<void> {
    const entries: { id: string; at: number }[] = [...this.closedLastSeen].map(([id, at]) => ({ id, at }));
    this.closedLastSeen.clear();
    for (const session of this.sessions.values()) {
      if (this.flushedLastSeen.get(session.id) !== session.lastSeenAt) entries.push({ id: session.id, at: session.lastSeenAt });
    }
    try {
      for (let i = 0; i < entries.length; i += LAST_SEEN_CHUNK) {
        // A big fleet's times go in slices, a turn of the event loop apart, so sockets are read in between.
        if (i > 0) await new Promise((resolve) => setImmediate(resolve));
        const chunk = entries.slice(i, i + LAST_SEEN_CHUNK);
        await this.deps.devices.touchLastSeen(chunk);
        for (const entry of chunk) this.flushedLastSeen.set(entry.id, entry.at);
      }
    } catch (error) {
      this.deps.log.error({ err: error }, "could not record last-seen");
    }
  }
}
