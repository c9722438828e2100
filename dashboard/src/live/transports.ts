import type { LiveUpdate } from "./live-types.js";

/** What a transport tells the live client. */
export interface TransportEvents {
  open(): void;
  update(update: LiveUpdate): void;
  /** The connection ended (or never started); `opened`: it had been open. */
  closed(opened: boolean): void;
}

/** One connection to the live channel. */
export interface LiveTransport {
  /** Change the subscriptions of an open connection (the SSE transport reconnects instead). */
  resubscribe(added: string[], removed: string[]): boolean;
  close(): void;
}

/** A connection's life: `end()` reports the close once, unless `close()` was asked for (`ended`). */
function lifeOf(events: TransportEvents) {
  const life = {
    opened: false,
    ended: false,
    end: () => {
      if (life.ended) return;
      life.ended = true;
      events.closed(life.opened);
    },
  };
  return life;
}

/** Subprotocol of the live channel's WebSocket. */
export const LIVE_SUBPROTOCOL = "telehub.live.v1";

/** The WebSocket: the key travels as the subprotocol `bearer.<key>` (a browser cannot set headers). */
export function openWebSocket(url: string, key: string, topics: () => string[], events: TransportEvents): LiveTransport {
  const ws = new WebSocket(url, [LIVE_SUBPROTOCOL, `bearer.${key}`]);
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
  ws.onclose = life.end;
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
 * Server-Sent Events read with `fetch` (EventSource cannot send the `Authorization` header).
 * Topics are fixed per request, so a change of subscriptions reconnects.
 */
export function openEventStream(url: string, key: string, topics: string[], events: TransportEvents): LiveTransport {
  const abort = new AbortController();
  const life = lifeOf(events);
  const run = async () => {
    const response = await fetch(`${url}?topics=${encodeURIComponent(topics.join(","))}`, {
      headers: { Authorization: `Bearer ${key}`, Accept: "text/event-stream" },
      signal: abort.signal,
    });
    if (!response.ok || !response.body) throw new Error(`live stream answered ${response.status}`);
    life.opened = true;
    events.open();
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
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
    }
    if (event === "update" && data.length > 0) events.update(JSON.parse(data.join("\n")) as LiveUpdate);
  };
  run().then(life.end, life.end);
  return {
    resubscribe: () => false,
    close() {
      life.ended = true;
      abort.abort();
    },
  };
}
