import { connect, type NetConnectOpts, type Socket } from "node:net";
import type { ClientOptions } from "ws";

/**
 * A device's TCP connection, reached through the `createConnection` hook `ws` offers
 * (`wsOptions`), so faults are injected under the real client without changing it:
 * a clean disconnect (FIN), a kill (RST, in-flight data lost), a raw malformed frame
 * written between the client's own frames, and slow processing of what the hub sends.
 */
export class DeviceLink {
  private socket: Socket | undefined;

  /** @param processingDelayMs every chunk from the hub reaches the client this much later (0: none). */
  constructor(private readonly processingDelayMs = 0) {}

  /** The hook to pass as `wsOptions.createConnection` (plain `ws://` only). */
  readonly createConnection = ((options: NetConnectOpts & { socketPath?: string }) => {
    // As ws's own netConnect: `path` would otherwise be taken for a Unix socket path.
    const socket = connect({ ...options, path: options.socketPath } as NetConnectOpts);
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
    socket?.resetAndDestroy();
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
