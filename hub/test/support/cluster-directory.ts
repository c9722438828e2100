import pino from "pino";
import { clusterNames } from "../../src/cluster/cluster-names.js";
import { type ClusterConnection, connectCluster } from "../../src/cluster/nats-connection.js";
import { NatsDeviceDirectory } from "../../src/cluster/nats-device-directory.js";
import { testClusterSettings } from "./cluster-instance.js";

/** One instance's device directory in a test cluster: its own NATS connection (close it to "kill" the instance). */
export interface TestDirectory {
  connection: ClusterConnection;
  directory: NatsDeviceDirectory;
}

/** Connect instance `id` to the private server at `natsUrl` and open its directory in cluster `prefix`; silent logs. */
export async function openTestDirectory(natsUrl: string, prefix: string, id: string, heartbeatIntervalMs: number): Promise<TestDirectory> {
  const log = pino({ level: "silent" });
  const connection = await connectCluster(testClusterSettings(natsUrl), id, log);
  const directory = await NatsDeviceDirectory.open({
    nats: connection.nats,
    names: clusterNames(prefix),
    instanceId: id,
    replicas: 1,
    heartbeatIntervalMs,
    log,
  });
  return { connection, directory };
}
