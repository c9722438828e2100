import { encodeFrame } from "@telehub/device-client/protocol";
import WebSocket from "ws";
import { startCountingServer } from "./counting-server-process.js";
import { cpuTimeMs, peakRssBytes } from "./process-stats.js";
import { sampleReading } from "./sample-reading.js";

export interface TransportResult {
  frames: number;
  seconds: number;
  framesPerSecond: number;
  readingsPerSecond: number;
  serverCpuPercent: number;
  serverPeakRssBytes: number;
}

/**
 * The transport limit: the same batch frames, from the same number of sockets, sent as fast
 * as the sockets take them to a bare `ws` server that only counts them.
 */
export async function measureTransport(devices: number, batchesPerDevice: number, readingsPerBatch: number): Promise<TransportResult> {
  const server = await startCountingServer();
  try {
    const sockets = await Promise.all(
      Array.from(
        { length: devices },
        () =>
          new Promise<WebSocket>((resolve, reject) => {
            const ws = new WebSocket(server.url, { perMessageDeflate: false });
            ws.once("open", () => resolve(ws));
            ws.once("error", reject);
          }),
      ),
    );
    const frames = devices * batchesPerDevice;
    const cpuBefore = cpuTimeMs(server.pid);
    const startedAt = performance.now();
    await Promise.all(
      sockets.map(async (ws, d) => {
        for (let b = 1; b <= batchesPerDevice; b++) {
          const frame = encodeFrame({
            t: "batch",
            seq: b,
            r: Array.from({ length: readingsPerBatch }, (_, i) => sampleReading(d, b * readingsPerBatch + i)),
          });
          if (ws.bufferedAmount > 1 << 20) await new Promise((resolve) => setTimeout(resolve, 1));
          ws.send(frame);
        }
      }),
    );
    const counted = await server.waitFor(frames, 120_000);
    const seconds = (performance.now() - startedAt) / 1000;
    const cpuMs = cpuTimeMs(server.pid) - cpuBefore;
    const result = {
      frames: counted.frames,
      seconds,
      framesPerSecond: counted.frames / seconds,
      readingsPerSecond: (counted.frames * readingsPerBatch) / seconds,
      serverCpuPercent: (cpuMs / (seconds * 1000)) * 100,
      serverPeakRssBytes: peakRssBytes(server.pid),
    };
    for (const ws of sockets) ws.terminate();
    return result;
  } finally {
    await server.stop();
  }
}
