import type { LiveUpdate } from "./live-types.js";

/** What a transport tells the live client. */
export interface TransportEvents {
  open(): void;
  update(update: LiveUpdate): void;
  /**
   * The connection ended (or never started); `opened`: it had been open. `reason`: why the hub
   * closed it, when it said (a WebSocket close reason, or the code of an SSE `closed` event,
   * e.g. `TH_API_SESSION_ENDED`). `heldBack`: an event stream that sent nothing in time (a
   * proxy buffering it): SSE will not work through this network.
   */
  closed(opened: boolean, reason?: string, heldBack?: boolean): void;
}

/** One connection to the live channel. */
export interface LiveTransport {
  /** Change the subscriptions of an open connection (the SSE transport reconnects instead). */
  resubscribe(added: string[], removed: string[]): boolean;
  close(): void;
}

/** A connection's life: `end()` reports the close once, unless `close()` was asked for (`ended`). */
export function lifeOf(events: TransportEvents) {
  const life = {
    opened: false,
    ended: false,
    end: (reason?: string, heldBack?: boolean) => {
      if (life.ended) return;
      life.ended = true;
      events.closed(life.opened, reason || undefined, heldBack);
    },
  };
  return life;
}

/** Subprotocol of the live channel's WebSocket. */
export const LIVE_SUBPROTOCOL = "telehub.live.v1";

/**
 * How a live connection authenticates: with an API key, or with the dashboard's session
 * cookie, which the browser sends by itself to the hub's own origin (the page's origin).
 */
export type LiveCredential = { kind: "key"; key: string } | { kind: "cookie" };

/**
 * The WebSocket: a key travels as the subprotocol `bearer.<key>` (a browser cannot set
 * headers); with a session the upgrade request carries the cookie and no key.
 */
export function openWebSocket(url: string, credential: LiveCredential, topics: () => string[], events: TransportEvents): LiveTransport {
  const protocols = credential.kind === "key" ? [LIVE_SUBPROTOCOL, `bearer.${credential.key}`] : [LIVE_SUBPROTOCOL];
  const ws = new WebSocket(url, protocols);
  const life = lifeOf(events);
  ws.onopen = () => {
    life.opened = true;
    // The topics as they are now: some may have come or gone while connecting.
    const current = topics();
    if (current.length > 0) ws.send(JSON.stringify({ type: "subscribe", topics: current }));
    events.open();
  };
  ws.onmessage = (message) => {
    if (typeof message.data !== "string") return;
    const parsed = JSON.parse(message.data) as { type: string };
    if (parsed.type === "update") events.update(parsed as LiveUpdate);
  };
  ws.onerror = () => ws.close();
  ws.onclose = (event) => life.end(event.reason);
  return {
    resubscribe(added, removed) {
      if (ws.readyState !== WebSocket.OPEN) return true;
      if (added.length > 0) ws.send(JSON.stringify({ type: "subscribe", topics: added }));
      if (removed.length > 0) ws.send(JSON.stringify({ type: "unsubscribe", topics: removed }));
      return true;
    },
    close() {
      life.ended = true;
      ws.close(1000);
    },
  };
}

/**
 * Server-Sent Events read with `fetch` (EventSource cannot send the `Authorization` header; a
 * session's cookie goes along by itself). Topics are fixed per request, so a change of
 * subscriptions reconnects. The stream is open once its first event arrives (the hub sends
 * `subscribed` at once); none within `silenceMs` of the request (a proxy that buffers the
 * stream until it ends) and it is given up as held back.
 */
export function openEventStream(
  url: string,
  credential: LiveCredential,
  topics: string[],
  silenceMs: number,
  events: TransportEvents,
): LiveTransport {
  const abort = new AbortController();
  const life = lifeOf(events);
  let closedBecause: string | undefined;
  let heldBack = false;
  const silence = setTimeout(() => {
    heldBack = true;
    abort.abort();
  }, silenceMs);
  const heard = () => {
    if (life.opened) return;
    clearTimeout(silence);
    life.opened = true;
    events.open();
  };
  const run = async () => {
    const response = await fetch(`${url}?topics=${encodeURIComponent(topics.join(","))}`, {
      headers: {
        Accept: "text/event-stream",
        ...(credential.kind === "key" && { Authorization: `Bearer ${credential.key}` }),
      },
      credentials: credential.kind === "key" ? "omit" : "same-origin",
      signal: abort.signal,
    });
    if (!response.ok || !response.body) throw new Error(`live stream answered ${response.status}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += value;
      let cut = buffer.indexOf("\n\n");
      while (cut >= 0) {
        dispatch(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 2);
        cut = buffer.indexOf("\n\n");
      }
    }
  };
  const dispatch = (block: string) => {
    heard();
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
    }
    if (event === "update" && data.length > 0) events.update(JSON.parse(data.join("\n")) as LiveUpdate);
    if (event === "closed" && data.length > 0) closedBecause = (JSON.parse(data.join("\n")) as { code?: string }).code;
  };
  const ended = () => {
    clearTimeout(silence);
    life.end(closedBecause, heldBack);
  };
  run().then(ended, ended);
  return {
    resubscribe: () => false,
    close() {
      clearTimeout(silence);
      life.ended = true;
      abort.abort();
    },
  };
}
