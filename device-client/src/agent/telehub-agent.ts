import { EventEmitter } from "node:events";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FileBuffer, TelehubClient, type TelehubClientError, type TelehubClientOptions } from "../node/index.js";
import type { AgentConfig } from "./agent-config.js";
import { type AgentLog, STDERR_LOG } from "./agent-log.js";
import { AgentStateFile } from "./agent-state.js";
import { AGENT_VERSION, boardModel, machineAttributes } from "./attributes.js";
import { CollectRound } from "./collect-round.js";
import { buildCollectors, type CollectorPaths } from "./collectors/build-collectors.js";
import type { CollectedMetrics } from "./collectors/collector.js";
import { pingCommand } from "./commands/ping.js";
import { rebootCommand } from "./commands/reboot.js";
import { runScriptCommand } from "./commands/run-script.js";
import { checkInterval, setIntervalCommand } from "./commands/set-interval.js";
import { logConnectionState } from "./connection-log.js";
import { sendReadings } from "./send-readings.js";

/** Options of {@link TelehubAgent.start} besides the configuration. */
export interface TelehubAgentOptions {
  /** Default: lines on stderr. */
  log?: AgentLog;
  /** Where collectors read (test doubles). */
  paths?: CollectorPaths;
  /** Client tuning (tests shorten the backoff). Default: the client's defaults. */
  client?: Partial<Pick<TelehubClientOptions, "backoff" | "batchIntervalMs" | "connectTimeoutMs">>;
  /** Delay between answering `reboot` and running the reboot command. Default 1,000 ms. */
  rebootDelayMs?: number;
  /** Bound of the flush on `stop()`. Default 5,000 ms. */
  stopTimeoutMs?: number;
}

/** Events of {@link TelehubAgent}. */
export type TelehubAgentEvents = {
  /** A collection round was sent to the client (buffered, not yet acknowledged). */
  round: [CollectedMetrics];
  /** The hub refused the device for good (bad token, revoked, deleted, another session): nothing will reconnect. */
  fatal: [TelehubClientError];
};

/** The commands the agent answers (reported in `hello.cmds`). */
export const AGENT_COMMANDS = ["ping", "set_interval", "run_script", "reboot"] as const;

/**
 * The Raspberry Pi agent: collects metrics every interval and streams them through a
 * {@link TelehubClient} whose buffer is a file in `stateDir`, so readings taken while the hub
 * is unreachable survive a restart or reboot. Answers the built-in commands (`ping`,
 * `set_interval`, `run_script`, `reboot`) and applies `interval_s` from the desired configuration.
 */
export class TelehubAgent extends EventEmitter<TelehubAgentEvents> {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private lastTimestamp = 0;

  private constructor(
    readonly config: AgentConfig,
    /** The client the agent sends through (for its stats and events). */
    readonly client: TelehubClient,
    private readonly buffer: FileBuffer,
    private readonly state: AgentStateFile,
    private readonly collector: CollectRound,
    private readonly log: AgentLog,
    private readonly stopTimeoutMs: number,
  ) {
    super();
  }

  /**
   * Open the buffer and state in `config.stateDir`, build the collectors, connect (in the
   * background: the hub may be down) and run the first round at once.
   */
  static async start(config: AgentConfig, options: TelehubAgentOptions = {}): Promise<TelehubAgent> {
    const log = options.log ?? STDERR_LOG;
    mkdirSync(config.stateDir, { recursive: true });
    const state = new AgentStateFile(config.stateDir);
    const collectors = await buildCollectors(config, log, options.paths);
    const buffer = await FileBuffer.open(join(config.stateDir, "buffer.log"), { maxReadings: config.buffer.maxReadings });
    const intervalS = state.current.intervalS ?? config.intervalS;
    const model = boardModel();
    const client = new TelehubClient({
      url: config.hub,
      deviceId: config.deviceId,
      token: config.token,
      buffer,
      firmware: `telehub-agent ${AGENT_VERSION}`,
      ...(model !== undefined && { model }),
      attributes: { ...machineAttributes(), interval_s: intervalS },
      commands: AGENT_COMMANDS,
      configVersion: state.current.configVersion ?? 0,
      wsOptions: config.caFile ? { ca: readFileSync(config.caFile) } : {},
      ...options.client,
    });
    const agent = new TelehubAgent(config, client, buffer, state, new CollectRound(collectors, log), log, options.stopTimeoutMs ?? 5_000);
    agent.handleCommands(options.rebootDelayMs);
    logConnectionState(client, config.hub, log);
    log.info(
      `telehub-agent ${AGENT_VERSION}: device ${config.deviceId}, every ${intervalS} s, ${collectors.length} collectors (${collectors.map((c) => c.name).join(", ")}); buffered readings: ${buffer.readingCount}`,
    );
    client.connect().catch((error: TelehubClientError) => {
      if (error.code === "TH_CLIENT_CLOSED") return;
      log.error(`the hub refused this device for good: ${error.code}: ${error.message}`);
      agent.emit("fatal", error);
    });
    agent.runRound();
    return agent;
  }

  /** Seconds between rounds now in force. */
  get intervalS(): number {
    return this.state.current.intervalS ?? this.config.intervalS;
  }

  /**
   * Collect one round and hand it to the client; resolves when the client has it (sealed into
   * the buffer within `batchIntervalMs`). While a round is under way (the one at start, say),
   * resolves when that one is done instead of starting another.
   */
  collectNow(): Promise<void> {
    this.round ??= this.collectAndSend().finally(() => {
      this.round = undefined;
    });
    return this.round;
  }

  /** Stop collecting; when connected, flush what the hub takes within `stopTimeoutMs`; close the buffer. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      clearTimeout(this.timer);
      this.timer = undefined;
      await this.round;
      // Waiting for acks only makes sense with a hub to send them; offline, the file keeps everything.
      await this.client.close({ flush: this.client.connected, timeoutMs: this.stopTimeoutMs });
      this.buffer.close();
      this.log.info(`stopped; buffered readings kept for the next start: ${this.buffer.readingCount}`);
    })();
    return this.stopping;
  }

  private runRound(): void {
    void this.collectNow().finally(() => this.schedule());
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.stopping) return;
    this.timer = setTimeout(() => this.runRound(), this.intervalS * 1000);
  }

  private async collectAndSend(): Promise<void> {
    const metrics = await this.collector.collect();
    if (this.stopping) return;
    // Strictly increasing timestamps: two rounds in one millisecond would overwrite each other in storage.
    this.lastTimestamp = Math.max(Date.now(), this.lastTimestamp + 1);
    sendReadings(this.client, metrics, this.lastTimestamp, this.log);
    this.emit("round", metrics);
  }

  private applyInterval(seconds: number, source: string, configVersion?: number): void {
    this.state.update({ intervalS: seconds, ...(configVersion !== undefined && { configVersion }) });
    this.log.info(`interval set to ${seconds} s by ${source}`);
    this.client.report({ interval_s: seconds });
    if (this.timer !== undefined) this.schedule();
  }

  private handleCommands(rebootDelayMs: number | undefined): void {
    const { config, client } = this;
    client.onCommand("ping", pingCommand(Date.now()));
    client.onCommand(
      "set_interval",
      setIntervalCommand((seconds) => this.applyInterval(seconds, "set_interval")),
    );
    client.onCommand("run_script", runScriptCommand(config.scripts, config.scriptOutputMaxBytes, config.file));
    client.onCommand(
      "reboot",
      rebootCommand({
        allowReboot: config.allowReboot,
        command: config.rebootCommand,
        configFile: config.file,
        log: this.log,
        beforeReboot: () => this.client.flush(2_000).catch(() => undefined),
        ...(rebootDelayMs !== undefined && { delayMs: rebootDelayMs }),
      }),
    );
    client.onConfig((document, version) => {
      if (document.interval_s === undefined) {
        this.state.update({ configVersion: version });
        return;
      }
      this.applyInterval(checkInterval(document.interval_s, "interval_s"), `desired configuration v${version}`, version);
    });
  }
}
