import type { ConnectionEnd, Transport } from "./device-connection.js";
import { webSocketBlocked } from "./transport-fallback.js";

/** Every transport the client knows, in the default order of preference. */
export const TRANSPORTS: readonly Transport[] = ["ws", "http"];

/**
 * Which transport the next attempt uses. It starts with the first of `transports`; after a
 * WebSocket attempt that could not pass (see {@link webSocketBlocked}) it moves to HTTP when
 * HTTP comes later in the list, and stays there until a background WebSocket attempt (the
 * upgrade back) reaches `welcome`.
 */
export class TransportPlan {
  private next: Transport;

  constructor(private readonly transports: readonly Transport[]) {
    this.next = transports[0]!;
  }

  /** The transport of the next attempt. */
  get current(): Transport {
    return this.next;
  }

  /** While on HTTP: whether the client tries a WebSocket in the background (WebSocket is preferred). */
  get upgradesBack(): boolean {
    return this.next === "http" && this.rank("ws") >= 0 && this.rank("ws") < this.rank("http");
  }

  /** A WebSocket attempt ended: true when the client falls back to HTTP (the next attempt is HTTP). */
  fallsBackAfter(transport: Transport, end: ConnectionEnd): boolean {
    if (transport !== "ws" || this.rank("http") < this.rank("ws") || !webSocketBlocked(end)) return false;
    this.next = "http";
    return true;
  }

  /** A session of `transport` reached `welcome`. */
  welcomed(transport: Transport): void {
    this.next = transport;
  }

  private rank(transport: Transport): number {
    return this.transports.indexOf(transport);
  }
}

/** Check the `transports` option: a non-empty list of distinct `"ws"` / `"http"`. */
export function checkTransports(transports: readonly Transport[]): readonly Transport[] {
  if (!Array.isArray(transports) || transports.length === 0) throw new RangeError('transports must list "ws", "http" or both');
  for (const transport of transports) {
    if (!TRANSPORTS.includes(transport)) throw new RangeError(`transports: ${JSON.stringify(transport)} is not "ws" or "http"`);
  }
  if (new Set(transports).size !== transports.length) throw new RangeError("transports lists a transport twice");
  return [...transports];
}
