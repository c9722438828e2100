import type pino from "pino";
import { ClusterDeployment } from "../cluster/cluster-deployment.js";
import type { HubConfig } from "../config/hub-config.js";
import type { HubMetrics } from "../metrics.js";
import type { Deployment } from "./deployment.js";
import { SingleNode } from "./single-node.js";

/** The deployment the configuration names: one instance of a cluster (`cluster.*` set, checked by `loadConfig`), or a single node. */
export async function openDeployment(config: HubConfig, log: pino.Logger, metrics: HubMetrics): Promise<Deployment> {
  if (config.cluster.natsUrls.trim() !== "") return ClusterDeployment.open(config, metrics, log);
  return new SingleNode((error) => log.error({ err: error }, "event listener failed"));
}
