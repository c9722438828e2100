import type { Server } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";

/** The `http.*` configuration. */
export interface ConnectionLimitOptions {
  /** TCP connections from one peer address at once (accepted device sessions not counted); 0: no limit. */
  maxConnectionsPerAddress: number;
  /** Time for a request's headers (and a TLS handshake) to arrive. */
  headersTimeoutMs: number;
  /** Time for a whole request to arrive; at least `headersTimeoutMs` is used. */
  requestTimeoutMs: number;
}

/**
 * Limits on the HTTP server's TCP connections, against clients that open many and send slowly:
 * a cap per peer address (a connection beyond it is destroyed before it is read), and header and
 * request timeouts far shorter than Node's (60 s and 300 s; a connection that sends nothing is
 * timed from its opening). The address is the TCP peer's: the forwarded headers of a trusted
 * proxy are not read yet when a connection opens.
 */
export class ConnectionLimits {
  private readonly perAddress = new Map<string, number>();
  /** Each counted connection, with its peer address. */
  private readonly counted = new Map<Socket, string>();
  /** Counted connections by `address port`, which names the TLS socket over a TCP connection too. */
  private readonly byKey = new Map<string, Socket>();

  constructor(
    server: Server,
    private readonly options: ConnectionLimitOptions,
    /** Called for each connection closed for being over the cap. */
    private readonly refused: () => void,
  ) {
    server.headersTimeout = options.headersTimeoutMs;
    server.requestTimeout = Math.max(options.requestTimeoutMs, options.headersTimeoutMs);
    // Node enforces both on a sweep every `connectionsCheckingInterval` (30 s by default), read when it starts listening.
    (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(1_000, options.headersTimeoutMs);
    if (options.maxConnectionsPerAddress > 0) server.on("connection", (socket: Socket) => this.admit(socket));
  }

  /** TCP connections counted for `address` now. */
  held(address: string): number {
    return this.perAddress.get(address) ?? 0;
  }

  /** Stop counting a connection: an accepted device session, which `gateway.maxConnectionsPerAddress` limits instead. */
  release(socket: Duplex): void {
    const tcp = this.byKey.get(keyOf(socket as Socket));
    if (tcp !== undefined) this.uncount(tcp);
  }

  private admit(socket: Socket): void {
    // Reset before it was handed over: nothing to count.
    if (socket.remoteAddress === undefined) return void socket.destroy();
    const address = peerAddress(socket);
    if (this.held(address) >= this.options.maxConnectionsPerAddress) {
      this.refused();
      socket.destroy();
      return;
    }
    const key = keyOf(socket);
    this.perAddress.set(address, this.held(address) + 1);
    this.counted.set(socket, address);
    this.byKey.set(key, socket);
    socket.once("close", () => {
      this.uncount(socket);
      // Unless a newer connection from the same address and port came before this one's close event.
      if (this.byKey.get(key) === socket) this.byKey.delete(key);
    });
  }

  /** Stop counting a connection (once). */
  private uncount(socket: Socket): void {
    const address = this.counted.get(socket);
    if (address === undefined) return;
    this.counted.delete(socket);
    const left = this.held(address) - 1;
    if (left > 0) this.perAddress.set(address, left);
    else this.perAddress.delete(address);
  }
}

function keyOf(socket: Socket): string {
  return `${socket.remoteAddress} ${socket.remotePort}`;
}

/** The peer's IP address; an IPv4 peer on a dual-stack socket is counted as its IPv4 address. */
function peerAddress(socket: Socket): string {
  const address = socket.remoteAddress as string;
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
