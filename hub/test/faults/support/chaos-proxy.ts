import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy on 127.0.0.1 between devices and the hub that can cut connections abruptly:
 * both sockets are reset (RST), as when a device loses its network mid-frame.
 */
export class ChaosProxy {
  /** Connections cut so far. */
  killed = 0;

  private constructor(
    private readonly server: Server,
    /** Port devices connect to. */
    readonly port: number,
    private readonly pairs: Set<{ device: Socket; hub: Socket }>,
  ) {}

  /** Start a proxy to `127.0.0.1:hubPort`. */
  static async start(hubPort: number): Promise<ChaosProxy> {
    const pairs = new Set<{ device: Socket; hub: Socket }>();
    const server = createServer((device) => {
      const hub = connect(hubPort, "127.0.0.1");
      const pair = { device, hub };
      pairs.add(pair);
      const drop = (): void => {
        pairs.delete(pair);
        device.destroy();
        hub.destroy();
      };
      device.on("error", drop).on("close", drop);
      hub.on("error", drop).on("close", drop);
      device.pipe(hub);
      hub.pipe(device);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new ChaosProxy(server, (server.address() as { port: number }).port, pairs);
  }

  /** Connections open through the proxy. */
  get open(): number {
    return this.pairs.size;
  }

  /** Reset `count` randomly chosen open connections (both ends); answers how many were cut. */
  kill(count: number, random: () => number = Math.random): number {
    const open = [...this.pairs];
    let cut = 0;
    while (cut < count && open.length > 0) {
      const [pair] = open.splice(Math.floor(random() * open.length), 1);
      if (!pair) break;
      this.pairs.delete(pair);
      pair.device.resetAndDestroy();
      pair.hub.resetAndDestroy();
      cut++;
    }
    this.killed += cut;
    return cut;
  }

  /** Stop accepting and cut every connection. */
  async close(): Promise<void> {
    this.kill(this.pairs.size);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
