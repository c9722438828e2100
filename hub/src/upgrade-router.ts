import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type pino from "pino";
import { refuseUpgrade } from "./gateway/upgrade-refusal.js";
import { isStoreUnavailable } from "./http/store-availability.js";

/** An HTTP or HTTPS server: what emits upgrades. */
export interface UpgradeSource {
  on(event: "upgrade", listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): unknown;
}

/** Takes over a WebSocket upgrade for one path. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => Promise<void>;

/**
 * The HTTP server's WebSocket upgrades, by path: devices at `/v1/device`, the dashboard's live
 * channel at `/v1/live`. Any other path is refused with 404 and the list of endpoints.
 */
export function routeUpgrades(server: UpgradeSource, routes: Record<string, UpgradeHandler>, log: pino.Logger): void {
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node takes its own error listener off a socket that asks for an upgrade: without one, a
    // client that resets the connection while it is being authenticated (or refused) would make
    // an uncaught exception of it and stop the hub.
    socket.on("error", (error) => log.debug({ err: error, path: req.url }, "upgrade socket error"));
    const url = new URL(req.url ?? "/", "http://hub");
    const handler = Object.hasOwn(routes, url.pathname) ? routes[url.pathname] : undefined;
    if (!handler) {
      refuseUpgrade(socket, 404, undefined, `no WebSocket endpoint at ${url.pathname}; there are ${Object.keys(routes).join(", ")}`);
      return;
    }
    handler(req, socket, head, url).catch((error: unknown) => {
      log.error({ err: error, path: url.pathname }, "upgrade failed");
      // Documented (docs/protocol.md §1.2): retry with backoff. A cluster's PostgreSQL away is the usual cause.
      const why = isStoreUnavailable(error) ? "the hub's metadata store is unreachable" : "the hub met an unexpected condition";
      refuseUpgrade(socket, 500, "TH_INTERNAL", `${why}; retry with backoff`, 1);
    });
  });
}
