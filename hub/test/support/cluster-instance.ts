import pino from "pino";
import { ClusterNotices, type NoticeKind } from "../../src/cluster/cluster-notices.js";
import { type ClusterConnection, type ClusterSettings, connectCluster } from "../../src/cluster/nats-connection.js";
import { DEFAULT_CONFIG } from "../../src/config/hub-config.js";

/** One "hub instance" of a cluster test: its own NATS connection and notices, what it dropped and logged. */
export interface TestInstance {
  id: string;
  connection: ClusterConnection;
  notices: ClusterNotices;
  dropped: NoticeKind[];
  logged: { level: number; msg: string }[];
  log: pino.Logger;
}

/** The cluster settings of a test against the private server at `natsUrl`: quick reconnection. */
export function testClusterSettings(natsUrl: string, overrides: Partial<ClusterSettings> = {}): ClusterSettings {
  return { ...DEFAULT_CONFIG.cluster, natsUrls: natsUrl, natsReconnectWaitMs: 50, natsConnectTimeoutMs: 10_000, ...overrides };
}

/** Connect an instance named `id` to the private server at `natsUrl`. */
export async function connectTestInstance(natsUrl: string, id: string, overrides: Partial<ClusterSettings> = {}): Promise<TestInstance> {
  const settings = testClusterSettings(natsUrl, overrides);
  const logged: TestInstance["logged"] = [];
  const log = pino({ level: "info" }, { write: (line: string) => void logged.push(JSON.parse(line)) });
  const connection = await connectCluster(settings, id, log);
  const dropped: NoticeKind[] = [];
  const notices = new ClusterNotices(connection, {
    maxOfflineBytes: settings.natsOfflineBufferBytes,
    dropped: (kind) => void dropped.push(kind),
    log,
  });
  return { id, connection, notices, dropped, logged, log };
}
