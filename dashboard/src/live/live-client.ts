import { Backoff, type BackoffOptions, DEFAULT_BACKOFF } from "./backoff.js";
import type { LiveStatus, LiveTransportKind, LiveUpdate } from "./live-types.js";
import { openLongPoll } from "./long-poll.js";
import { type LiveCredential, type LiveTransport, openEventStream, openWebSocket, type TransportEvents } from "./transports.js";

export type LiveListener = (update: LiveUpdate) => void;

/** Topics the hub accepts (its `TOPIC_PATTERN`); others are left out rather than spoil a subscribe message. */
export const TOPIC_PATTERN = /^(telemetry|commands|presence|config|alarms):(\*|[A-Za-z0-9][A-Za-z0-9_.:-]{0,63})$/;

export interface LiveClientOptions {
  /** `ws(s)://host/v1/live`. */
  webSocketUrl: string;
  /** `/api/v1/live` (Server-Sent Events). */
  eventStreamUrl: string;
  /** `/api/v1/live/poll` (long polling). Default: `eventStreamUrl` + `/poll`. */
  pollUrl?: string;
  /** How to authenticate, read at each (re)connect: an API key or the session cookie; undefined: stay disconnected. */
  credential: () => LiveCredential | undefined;
  /**
   * `auto` (default): WebSocket; SSE after `webSocketFailuresBeforeSse` failed attempts in a row;
   * long polling after an event stream that sent nothing within `eventStreamSilenceMs`, or
   * `eventStreamFailuresBeforePoll` streams in a row that failed before their first event.
   * Another value: only that transport.
   */
  transport?: "auto" | LiveTransportKind;
  /** WebSocket attempts that never opened before switching to SSE for this page. Default 2. */
  webSocketFailuresBeforeSse?: number;
  /** Event streams that failed before their first event before switching to long polling for this page. Default 2. */
  eventStreamFailuresBeforePoll?: number;
  /** An event stream with no event this long after its request is held back by a proxy: long polling at once. Default 5,000 ms. */
  eventStreamSilenceMs?: number;
  /** How long the hub may hold a long poll with no news (it caps it at `live.maxPollWaitMs`). Default 25,000 ms. */
  pollWaitMs?: number;
  /**
   * While on SSE or long polling (`auto`), try a WebSocket in the background this often; once it
   * opens, it takes over and the other connection is closed. 0: never. Default 300,000 ms.
   */
  upgradeRetryMs?: number;
  backoff?: BackoffOptions;
  random?: () => number;
  onStatus?: (status: LiveStatus) => void;
  /** The hub closed the connection and said why (e.g. `TH_API_SESSION_ENDED`); the client reconnects as after any loss. */
  onClosedByHub?: (reason: string) => void;
}

/**
 * The browser's one connection to the hub's live channel. Components subscribe to topics
 * (counted, so two components may share one); the client connects lazily, sends the union of
 * topics, reconnects with full-jitter capped backoff (reset once a connection delivered
 * something) and resubscribes everything after a reconnect. Where the WebSocket never opens
 * (a proxy that blocks upgrades), it falls back to Server-Sent Events, and where the event
 * stream sends nothing (a proxy that buffers it) to long polling, for the page's lifetime.
 */
export class LiveClient {
  private readonly counts = new Map<string, number>();
  private readonly listeners = new Set<LiveListener>();
  private readonly backoff: Backoff;
  private transport: LiveTransport | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The next background WebSocket attempt while on a fallback transport. */
  private upgradeTimer: ReturnType<typeof setTimeout> | undefined;
  /** That attempt while it is under way (closed with the client). */
  private probe: LiveTransport | undefined;
  private mode: LiveTransportKind;
  /** Attempts of the current mode in a row that failed before they opened. */
  private failures = 0;
  private stopped = false;
  private status: LiveStatus;

  constructor(private readonly options: LiveClientOptions) {
    this.backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF, options.random);
    this.mode = options.transport === undefined || options.transport === "auto" ? "websocket" : options.transport;
    this.status = { state: "closed", transport: this.mode };
  }

  /** Receive every update while subscribed to `topics`; returns the unsubscribe function. */
  subscribe(requested: readonly string[], listener: LiveListener): () => void {
    const topics = [...new Set(requested)].filter((topic) => TOPIC_PATTERN.test(topic));
    this.listeners.add(listener);
    const added = topics.filter((topic) => {
      const count = this.counts.get(topic) ?? 0;
      this.counts.set(topic, count + 1);
      return count === 0;
    });
    this.changed(added, []);
    return () => {
      this.listeners.delete(listener);
      const removed = topics.filter((topic) => {
        const count = (this.counts.get(topic) ?? 1) - 1;
        if (count <= 0) this.counts.delete(topic);
        else this.counts.set(topic, count);
        return count <= 0;
      });
      this.changed([], removed);
    };
  }

  get currentStatus(): LiveStatus {
    return this.status;
  }

  /** Drop the connection and open a new one (with the credential as it is now), e.g. after a login or logout. */
  restart(): void {
    this.transport?.close();
    this.transport = undefined;
    clearTimeout(this.timer);
    this.stopUpgrades();
    this.backoff.reset();
    if (!this.stopped) this.connect();
  }

  /** Connect again after `close()` (React may unmount and remount the provider). */
  resume(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.stopUpgrades();
    this.transport?.close();
    this.transport = undefined;
    this.setStatus("closed");
  }

  private changed(added: string[], removed: string[]): void {
    if (added.length === 0 && removed.length === 0) return;
    if (this.transport?.resubscribe(added, removed)) return;
    // No connection yet, or SSE (topics fixed per request): (re)connect with the new set now.
    this.transport?.close();
    this.transport = undefined;
    clearTimeout(this.timer);
    this.connect();
  }

  private connect(): void {
    this.timer = undefined;
    const credential = this.options.credential();
    const topics = [...this.counts.keys()];
    if (this.stopped || credential === undefined || topics.length === 0) {
      this.setStatus("closed");
      return;
    }
    this.setStatus("connecting");
    this.transport = this.open(this.mode, credential, topics, false);
  }

  /**
   * A connection over `mode`. A `probe` (a background WebSocket while on a fallback) takes over
   * once it opens, closing the connection in use; until then its news is not delivered, and its
   * failure only schedules the next attempt.
   */
  private open(mode: LiveTransportKind, credential: LiveCredential, topics: string[], probe: boolean): LiveTransport {
    let delivered = false;
    const events: TransportEvents = {
      open: () => {
        if (probe) {
          const replaced = this.transport;
          this.probe = undefined;
          // The fallback may have been lost meanwhile: its reconnect is not needed any more.
          clearTimeout(this.timer);
          this.timer = undefined;
          this.transport = transport;
          this.mode = mode;
          replaced?.close();
        }
        this.failures = 0;
        this.setStatus("open");
        this.scheduleUpgrade();
      },
      update: (update) => {
        if (this.transport !== transport) return;
        if (!delivered) this.backoff.reset();
        delivered = true;
        for (const listener of this.listeners) listener(update);
      },
      closed: (opened, reason, heldBack) => {
        if (this.transport !== transport) {
          if (probe) this.scheduleUpgrade();
          return;
        }
        this.transport = undefined;
        if (reason) this.options.onClosedByHub?.(reason);
        if (!opened) this.failed(heldBack === true);
        this.setStatus("connecting");
        this.timer = setTimeout(() => this.connect(), this.backoff.next());
      },
    };
    const current = () => [...this.counts.keys()];
    const transport =
      mode === "websocket"
        ? openWebSocket(this.options.webSocketUrl, credential, current, events)
        : mode === "sse"
          ? openEventStream(this.options.eventStreamUrl, credential, topics, this.options.eventStreamSilenceMs ?? 5_000, events)
          : openLongPoll(
              this.options.pollUrl ?? `${this.options.eventStreamUrl}/poll`,
              credential,
              current,
              this.options.pollWaitMs ?? 25_000,
              events,
            );
    return transport;
  }

  /** On a fallback transport chosen automatically: a background WebSocket attempt after `upgradeRetryMs`, unless one is due. */
  private scheduleUpgrade(): void {
    const every = this.options.upgradeRetryMs ?? 300_000;
    const auto = this.options.transport === undefined || this.options.transport === "auto";
    if (!auto || every <= 0 || this.mode === "websocket" || this.upgradeTimer !== undefined) return;
    this.upgradeTimer = setTimeout(() => {
      this.upgradeTimer = undefined;
      const credential = this.options.credential();
      if (this.stopped || credential === undefined || this.mode === "websocket" || this.transport === undefined) return;
      this.probe = this.open("websocket", credential, [...this.counts.keys()], true);
    }, every);
  }

  private stopUpgrades(): void {
    clearTimeout(this.upgradeTimer);
    this.upgradeTimer = undefined;
    this.probe?.close();
    this.probe = undefined;
  }

  /** An attempt that never opened: the next transport after enough of them (at once for a held-back stream), unless one is forced. */
  private failed(heldBack: boolean): void {
    if (this.options.transport !== undefined && this.options.transport !== "auto") return;
    this.failures++;
    const next =
      this.mode === "websocket" && this.failures >= (this.options.webSocketFailuresBeforeSse ?? 2)
        ? "sse"
        : this.mode === "sse" && (heldBack || this.failures >= (this.options.eventStreamFailuresBeforePoll ?? 2))
          ? "long-poll"
          : undefined;
    if (next === undefined) return;
    this.mode = next;
    this.failures = 0;
  }

  private setStatus(state: LiveStatus["state"]): void {
    if (this.status.state === state && this.status.transport === this.mode) return;
    this.status = { state, transport: this.mode };
    this.options.onStatus?.(this.status);
  }
}
