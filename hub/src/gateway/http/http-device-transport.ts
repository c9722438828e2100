import type { IncomingMessage, ServerResponse } from "node:http";
import type { ProtocolErrorCode } from "@telehub/device-client/protocol";
import { DRAINING_REFUSAL } from "../../drain-state.js";
import type { DeviceRecord } from "../../storage/device-repository.js";
import { type AdmissionRefusal, type AdmittedDevice, handshakeRefusal, screenCredentials, verifyCredentials } from "../device-admission.js";
import { type DeviceCredentials, readDeviceCredentials } from "../device-credentials.js";
import type { DeviceLink } from "../device-link.js";
import type { DeviceSession } from "../device-session.js";
import type { GatewayDeps } from "../gateway-context.js";
import type { HandshakeSlots } from "../handshake-slots.js";
import { type DeviceRequest, isHello, parseDeviceRequest, readFrames } from "./device-request.js";
import { Exchange } from "./http-exchange.js";
import { HttpLink } from "./http-link.js";
import { writeRefusal } from "./http-refusal.js";

/** What the transport needs from the gateway: its sessions, admission control and state. */
export interface HttpTransportHooks {
  stopping(): boolean;
  /** Whether a session of `deviceId` would be one more than `gateway.maxDevices`. */
  isFull(deviceId: string): boolean;
  /** Handshake admission (docs/protocol.md §6), shared with WebSocket upgrades. */
  handshakes: HandshakeSlots;
  /** Long polls in progress (`gateway.http.maxPolls`, `maxPollsPerAddress`). */
  polls: HandshakeSlots;
  /** Open a session of the device over `link`; the device's previous session (either transport) is replaced. */
  openSession(link: DeviceLink, device: DeviceRecord, remoteAddress: string): DeviceSession;
}

/** A session reachable by its `sid`. */
interface LiveSession {
  link: HttpLink;
  session: DeviceSession;
}

/**
 * The HTTP device transport (docs/protocol.md §10): `POST /v1/device` with a CBOR sequence of
 * frames. Every request is authenticated as an upgrade is; a request whose first frame is `hello`
 * starts a session (with a handshake slot, as an upgrade takes one), every other names one by
 * `sid`. The frames go to the session one by one, as a socket's do; the response is written
 * once every batch among them is settled.
 */
export class HttpDeviceTransport {
  private readonly bySid = new Map<string, LiveSession>();
  /** Sids of sessions a newer one replaced, with their device: answered 409 for a while, not 404. */
  private readonly replacedSids = new Map<string, string>();

  constructor(
    private readonly deps: GatewayDeps,
    private readonly hooks: HttpTransportHooks,
  ) {}

  /** Handle one request; resolves when its frames are handed over (the response may be held longer). */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const { config, clientAddresses } = this.deps;
    const settings = config.gateway.http;
    if (this.hooks.stopping())
      return this.refuse(res, { code: "TH_HUB_STOPPING", message: "the hub is shutting down", status: 503, retryAfterS: 5 });
    const request = parseDeviceRequest(req, url, settings);
    if ("code" in request) return this.refuse(res, request);
    const remoteAddress = clientAddresses.of(req);
    const credentials = readDeviceCredentials(req, url);
    const screened = screenCredentials(this.deps, credentials, remoteAddress);
    if (screened) return this.refuse(res, screened);
    const frames = await readFrames(req, settings, config.limits);
    if (frames === undefined) return;
    if ("code" in frames) return this.refuse(res, frames);
    if (isHello(frames[0], config.limits)) return this.startSession(res, request, frames, credentials as DeviceCredentials, remoteAddress);
    return this.continueSession(res, request, frames, credentials as DeviceCredentials, remoteAddress);
  }

  private async startSession(
    res: ServerResponse,
    request: DeviceRequest,
    frames: Uint8Array[],
    credentials: DeviceCredentials,
    remoteAddress: string,
  ): Promise<void> {
    const { hooks } = this;
    // Draining: the sessions open here go on; a new one belongs on another instance.
    if (this.deps.drain?.draining) return this.refuse(res, DRAINING_REFUSAL);
    if (hooks.isFull(credentials.deviceId)) return this.refuseFull(res);
    // Held until the welcome, or until the session ends without one, as for an upgrade.
    const noSlot = hooks.handshakes.take(remoteAddress);
    if (noSlot) return this.refuse(res, handshakeRefusal(noSlot, this.deps.config.gateway.maxHandshakesPerAddress));
    let live: LiveSession | undefined;
    try {
      const admitted = await verifyCredentials(this.deps, credentials, remoteAddress);
      if ("code" in admitted) return this.refuse(res, admitted);
      if (res.destroyed) return;
      // Others may have connected while this one authenticated.
      if (hooks.isFull(admitted.device.id)) return this.refuseFull(res);
      live = this.open(admitted, remoteAddress);
    } finally {
      if (!live) hooks.handshakes.release(remoteAddress);
    }
    await this.exchange(live, new Exchange(res, request.waitMs), frames);
  }

  private async continueSession(
    res: ServerResponse,
    request: DeviceRequest,
    frames: Uint8Array[],
    credentials: DeviceCredentials,
    remoteAddress: string,
  ): Promise<void> {
    const admitted = await verifyCredentials(this.deps, credentials, remoteAddress);
    if ("code" in admitted) return this.refuse(res, admitted);
    if (request.sid === undefined)
      return this.refuse(res, { code: "TH_HTTP_REQUEST_INVALID", message: "name the session (?sid=) or start one with hello" });
    const live = this.bySid.get(request.sid);
    if (!live || live.session.id !== admitted.device.id || !live.link.open) {
      if (this.replacedSids.get(request.sid) === admitted.device.id) {
        return this.refuse(res, { code: "TH_SESSION_REPLACED", message: "a newer session of this device replaced this one", status: 409 });
      }
      return this.refuse(res, { code: "TH_SESSION_UNKNOWN", message: "no such session (it ended or expired): start one with hello" });
    }
    const exchange = new Exchange(res, request.waitMs);
    if (request.waitMs > 0) {
      // The session's held poll is answered now: it gives its place to this one.
      live.link.answerHeld();
      const { polls } = this.hooks;
      const noSlot = polls.take(remoteAddress);
      if (noSlot) {
        const { maxPolls, maxPollsPerAddress } = this.deps.config.gateway.http;
        const message =
          noSlot === "hub"
            ? `the hub holds gateway.http.maxPolls (${maxPolls}) long polls; retry with backoff`
            : `this address holds gateway.http.maxPollsPerAddress (${maxPollsPerAddress}) long polls; retry with backoff`;
        return this.refuse(res, { code: "TH_HUB_BUSY", message, status: 503, retryAfterS: 1 });
      }
      exchange.onRelease(() => polls.release(remoteAddress));
    }
    live.session.lastSeenAt = this.deps.now();
    await this.exchange(live, exchange, frames);
  }

  private open(admitted: AdmittedDevice, remoteAddress: string): LiveSession {
    const { config, now } = this.deps;
    const link: HttpLink = new HttpLink({
      settings: config.gateway.http,
      heartbeatIntervalMs: config.gateway.heartbeatIntervalMs,
      now,
      resendPending: () => this.resendPending(live.session),
      ended: (ended, code) => this.ended(ended, code),
    });
    const session = this.hooks.openSession(link, admitted.device, remoteAddress);
    const live: LiveSession = { link, session };
    this.bySid.set(link.sid, live);
    if (admitted.validUntil !== undefined) session.expireCredentialAt(admitted.validUntil);
    return live;
  }

  /** Hand the request's frames to the session in order, wait until its batches are settled, then answer (or hold) it. */
  private async exchange({ link, session }: LiveSession, exchange: Exchange, frames: Uint8Array[]): Promise<void> {
    link.begin(exchange);
    if (frames.length > 0) {
      link.startPosting(exchange);
      for (const frame of frames) {
        if (!link.open || exchange.answered) break;
        await session.receive(frame, true);
      }
      // An ack in a response means durable: the response waits for every batch it answers.
      await session.settled();
    }
    link.finish(exchange);
  }

  /** Commands still `sent` and a configuration not acknowledged go out again, as after a hello (§3.6, §3.8). */
  private resendPending(session: DeviceSession): void {
    const { commands, desiredConfig } = this.deps;
    const failed = (error: unknown): void => session.log.warn({ err: error }, "could not resend to the device");
    commands.deliverPending(session.id).catch(failed);
    desiredConfig.sessionOpened(session.id, undefined).catch(failed);
  }

  private ended(link: HttpLink, code: ProtocolErrorCode | undefined): void {
    const live = this.bySid.get(link.sid);
    this.bySid.delete(link.sid);
    if (code !== "TH_SESSION_REPLACED" || !live) return;
    const deviceId = live.session.id;
    this.replacedSids.set(link.sid, deviceId);
    // Long enough for the replaced device's next contact, then the sid is forgotten (404).
    const { graceMs } = this.deps.config.gateway.http;
    setTimeout(() => this.replacedSids.delete(link.sid), link.intervalMs + graceMs).unref();
  }

  private refuseFull(res: ServerResponse): void {
    this.refuse(res, { code: "TH_HUB_FULL", message: "the hub holds its maximum number of devices", status: 503, retryAfterS: 30 });
  }

  private refuse(res: ServerResponse, refusal: AdmissionRefusal): void {
    this.deps.metrics.rejected.inc({ code: refusal.code });
    writeRefusal(res, refusal);
  }
}
