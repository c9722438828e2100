/** How big the cluster scenario runs (`cluster-*.ts`). */
export interface ClusterBenchSettings {
  /** Hub instances behind HAProxy: `TELEHUB_BENCH_CLUSTER_HUBS`, default 3. */
  hubs: number;
  /** Devices connected to each side (the single hub, the cluster): `TELEHUB_BENCH_CLUSTER_DEVICES`, default 100. */
  devices: number;
  /** Batches each device sends in one ingest round, as fast as acks allow. */
  batchesPerDevice: number;
  readingsPerBatch: number;
  /** Ingest rounds a side, alternating which goes first; medians compared. */
  ingestRounds: number;
  /** Commands counted a side, sent 4 at a time to random devices of the fleet. */
  commands: number;
  /** Commands sent before the counted ones on each side, not counted. */
  warmUpCommands: number;
  /** How long a side's readings may take to be all in InfluxDB (before a round, and at the end) before the run goes on and reports the count short. */
  drainTimeoutMs: number;
}

/** The variables that size the scenario without editing code (a bigger machine: more hubs, more devices). */
export const CLUSTER_BENCH_ENV = { hubs: "TELEHUB_BENCH_CLUSTER_HUBS", devices: "TELEHUB_BENCH_CLUSTER_DEVICES" } as const;

/** A whole number ≥ 1 from `env[name]`, or `fallback` when it is unset or empty; anything else throws, naming the variable. */
function countFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1, not ${JSON.stringify(text)}`);
  return value;
}

/** The cluster scenario's size for a full run or a quick one; `hubs` and `devices` from the environment when set there. */
export function clusterBenchSettings(quick: boolean, env: NodeJS.ProcessEnv = process.env): ClusterBenchSettings {
  const base = quick
    ? {
        hubs: 3,
        devices: 5,
        batchesPerDevice: 5,
        readingsPerBatch: 20,
        ingestRounds: 2,
        commands: 10,
        warmUpCommands: 2,
        drainTimeoutMs: 20_000,
      }
    : {
        hubs: 3,
        devices: 100,
        batchesPerDevice: 40,
        readingsPerBatch: 50,
        ingestRounds: 3,
        commands: 500,
        warmUpCommands: 50,
        drainTimeoutMs: 120_000,
      };
  return {
    ...base,
    hubs: countFrom(env, CLUSTER_BENCH_ENV.hubs, base.hubs),
    devices: countFrom(env, CLUSTER_BENCH_ENV.devices, base.devices),
  };
}
