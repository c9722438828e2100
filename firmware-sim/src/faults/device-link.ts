import { connect, isIP, type NetConnectOpts, type Socket } from "node:net";
import { type ConnectionOptions, connect as tlsConnect } from "node:tls";
import type { ClientOptions } from "ws";

/**
 * A device's TCP connection, reached through the `createConnection` hook `ws` offers
 * (`wsOptions`), so faults are injected under the real client without changing it:
 * a clean disconnect (FIN), a kill (RST, in-flight data lost), a raw malformed frame
 * written between the client's own frames, and slow processing of what the hub sends.
 */
export class DeviceLink {
  private socket: Socket | undefined;

  /**
   * @param secure the hub URL is `https:`/`wss:` (TLS).
   * @param processingDelayMs every chunk from the hub reaches the client this much later (0: none).
   */
  constructor(
    private readonly secure: boolean,
    private readonly processingDelayMs = 0,
  ) {}

  /** The hook to pass as `wsOptions.createConnection`. */
  readonly createConnection = ((options: NetConnectOpts & ConnectionOptions & { socketPath?: string; host?: string }) => {
    // As ws's own netConnect/tlsConnect: `path` would otherwise be taken for a Unix socket path.
    const socket = this.secure
      ? tlsConnect({
          ...options,
          path: undefined,
          servername: options.servername ?? (isIP(options.host ?? "") ? "" : options.host),
        } as ConnectionOptions)
      : connect({ ...options, path: options.socketPath } as NetConnectOpts);
    if (this.processingDelayMs > 0) delayIncoming(socket, this.processingDelayMs);
    this.socket = socket;
    return socket;
  }) as unknown as NonNullable<ClientOptions["createConnection"]>;

  private get open(): Socket | undefined {
    return this.socket && !this.socket.destroyed && this.socket.writable ? this.socket : undefined;
  }

  /** End the TCP connection cleanly (FIN). False when there is no open connection. */
  disconnect(): boolean {
    const socket = this.open;
    socket?.end();
    return socket !== undefined;
  }

  /** Reset the connection (RST): bytes in flight either way are lost, as when a link dies. */
  kill(): boolean {
    const socket = this.open;
    try {
      socket?.resetAndDestroy();
    } catch {
      // A TLS socket may not offer a reset: a plain destroy still drops what is in flight.
      socket?.destroy();
    }
    return socket !== undefined;
  }

  /** Write one raw WebSocket frame (already framed and masked) between the client's frames. */
  writeRaw(frame: Uint8Array): boolean {
    const socket = this.open;
    socket?.write(frame);
    return socket !== undefined;
  }
}

/** Hand every incoming chunk (and the end) to the reader `delayMs` later, in order. */
function delayIncoming(socket: Socket, delayMs: number): void {
  const push = socket.push.bind(socket);
  socket.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    setTimeout(() => push(chunk, encoding), delayMs).unref();
    return true;
  };
}
