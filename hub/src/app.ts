import { join } from "node:path";
import { DEVICE_PATH } from "@telehub/device-client/protocol";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type pino from "pino";
import { Accounts } from "./accounts/accounts.js";
import { bootstrapAdminUser } from "./accounts/bootstrap-admin-user.js";
import { liveCloseCodeOf } from "./accounts/caller.js";
import { AlarmEngine } from "./alarms/alarm-engine.js";
import { AlarmRecorder } from "./alarms/alarm-recorder.js";
import { AlarmService } from "./alarms/alarm-service.js";
import { CommandService } from "./commands/command-service.js";
import type { DeviceChannel } from "./commands/device-channel.js";
import type { HubConfig } from "./config/hub-config.js";
import type { AlarmSide } from "./deployment/deployment.js";
import { openDeployment } from "./deployment/open-deployment.js";
import { DesiredConfigService } from "./desired-config/desired-config-service.js";
import { DrainState } from "./drain-state.js";
import { ReadingFreshness } from "./fleet/reading-freshness.js";
import type { DeviceDirectory } from "./gateway/device-directory.js";
import { DeviceGateway } from "./gateway/device-gateway.js";
import { registerDeviceRoute } from "./gateway/http/device-route.js";
import { ApiAuthenticator } from "./http/authentication.js";
import { bootstrapAdminKey } from "./http/bootstrap-admin-key.js";
import { ConnectionLimits } from "./http/connection-limits.js";
import { answerFrameworkError } from "./http/error-handler.js";
import { registerHttpApi } from "./http/register-http-api.js";
import { tlsServerOptions } from "./http/tls-options.js";
import { BatchAdmission } from "./ingest/batch-admission.js";
import { BatchWriter } from "./ingest/batch-writer.js";
import { LiveHub } from "./live/live-hub.js";
import { LIVE_PATH, LiveSocketServer } from "./live/live-socket-server.js";
import { createLogger } from "./logger.js";
import { HubMetrics } from "./metrics.js";
import { NotificationService } from "./notifications/notification-service.js";
import { WebhookNotifier } from "./notifications/webhook-notifier.js";
import { BUILT_IN_PROFILES } from "./profiles/builtin/index.js";
import { ProfileService } from "./profiles/profile-service.js";
import { ClientAddresses } from "./security/client-address.js";
import { warnAboutExposedPaths } from "./security/data-dir.js";
import { FailureThrottle } from "./security/failure-throttle.js";
import type { ApiKeyRepository } from "./storage/api-key-repository.js";
import type { DeviceRepository } from "./storage/device-repository.js";
import { influxStoreMetrics } from "./storage/influx/influx-store-metrics.js";
import { InfluxTelemetryStore } from "./storage/influx/influx-telemetry-store.js";
import type { MetadataStore } from "./storage/metadata-store.js";
import { openMetadataStore } from "./storage/open-metadata-store.js";
import { sqliteStoreMetrics } from "./storage/sqlite/sqlite-store-metrics.js";
import { loggedReports, SqliteTelemetryStore } from "./storage/sqlite/sqlite-telemetry-store.js";
import type { TelemetryStore } from "./storage/telemetry-store.js";
import type { StoreRecipe } from "./storage/worker/store-recipe.js";
import { WorkerTelemetryStore } from "./storage/worker/worker-telemetry-store.js";
import { routeUpgrades } from "./upgrade-router.js";

/** A built hub: HTTP API and device gateway on one server, not yet listening. */
export interface Hub {
  readonly config: HubConfig;
  readonly http: FastifyInstance;
  readonly gateway: DeviceGateway;
  readonly devices: DeviceRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly telemetry: TelemetryStore;
  /** Alarm rules and alarms (what the API's alarm routes call). */
  readonly alarms: AlarmService;
  readonly metrics: HubMetrics;
  readonly log: pino.Logger;
  /** The admin key generated at this start (no key existed and none was configured); shown once. */
  readonly generatedAdminKey: string | undefined;
  /** The password of user `admin` generated at the first start (no user existed and none was configured); shown once. */
  readonly generatedAdminPassword: string | undefined;
  /** Start listening on `config.host:config.port`; resolves with the base URL. */
  listen(): Promise<string>;
  /**
   * Graceful shutdown: drain for `gateway.drainMs` (`/readyz` 503, new devices refused, open sessions
   * go on), then refuse new devices, flush pending writes, close sessions with 1001, close the stores.
   */
  close(): Promise<void>;
}

export interface BuildOptions {
  /** A pino logger to use instead of one built from `config.logLevel`. */
  logger?: pino.Logger;
  /** Clock, ms since epoch. */
  now?: () => number;
  /** A telemetry store to use instead of the embedded one (it is closed with the hub). */
  telemetry?: TelemetryStore;
  /** Where devices on other hub instances are (a cluster: `NatsDeviceDirectory`); closed with the gateway. Default: none. */
  deviceDirectory?: DeviceDirectory;
}

async function openTelemetryStore(config: HubConfig, metrics: HubMetrics, log: pino.Logger): Promise<TelemetryStore> {
  const { storage, influx, dataDir } = config;
  const path = join(dataDir, "telemetry.db");
  if (!storage.worker) {
    if (storage.telemetry === "sqlite") {
      const reports = { ...loggedReports(log.child({ component: "sqlite" })), metrics: sqliteStoreMetrics(metrics) };
      return new SqliteTelemetryStore(path, storage.sqliteSynchronous, reports);
    }
    return new InfluxTelemetryStore({ influx, dataDir, metrics: influxStoreMetrics(metrics), log: log.child({ component: "influx" }) });
  }
  const recipe: StoreRecipe =
    storage.telemetry === "sqlite"
      ? { kind: "sqlite", path, synchronous: storage.sqliteSynchronous, logLevel: config.logLevel }
      : { kind: "influxdb", influx, dataDir, logLevel: config.logLevel };
  const store = new WorkerTelemetryStore(recipe, { ...influxStoreMetrics(metrics), ...sqliteStoreMetrics(metrics) });
  await store.ready();
  return store;
}

/** Build a hub from a complete configuration (see `loadConfig`). */
export async function buildApp(config: HubConfig, options: BuildOptions = {}): Promise<Hub> {
  const tls = tlsServerOptions(config.tls);
  const log = options.logger ?? createLogger(config);
  const now = options.now ?? Date.now;
  const metrics = new HubMetrics();
  const deployment = await openDeployment(config, log, metrics);
  const { bus } = deployment;
  let webhooks: WebhookNotifier | undefined;
  let meta: MetadataStore;
  try {
    // Checks its configuration: a refusal comes before any database is opened.
    webhooks = config.webhooks.url
      ? new WebhookNotifier(config.webhooks, deployment.ownEvents, log.child({ component: "webhooks" }))
      : undefined;
    meta = await openMetadataStore(config, log, now);
  } catch (error) {
    await deployment.close();
    throw error;
  }
  const { secrets } = meta;
  // Files that existed before keep their mode (docs/operations.md, "Files and permissions"): say so.
  warnAboutExposedPaths(config.dataDir, log);
  let telemetry: TelemetryStore;
  const admission = new BatchAdmission(config.ingest);
  try {
    telemetry = options.telemetry ?? (await deployment.openTelemetry()) ?? (await openTelemetryStore(config, metrics, log));
  } catch (error) {
    await meta.close();
    await deployment.close();
    throw error;
  }
  try {
    // Every type the store holds, before the first device can send a value.
    admission.catalogue.load(await telemetry.metricTypes());
    metrics.metricSeries = () => admission.catalogue.size;
  } catch (error) {
    await telemetry.close();
    await meta.close();
    await deployment.close();
    throw error;
  }
  const { devices, apiKeys } = meta;
  const writer = new BatchWriter(telemetry, { maxBatchesPerCommit: config.ingest.maxBatchesPerCommit, metrics, log });

  const fastifyOptions = {
    loggerInstance: log as FastifyBaseLogger,
    bodyLimit: 1_048_576,
    frameworkErrors: answerFrameworkError,
    // A field that takes one of several JSON types (an alarm level's value) is declared as a type
    // list; without this Ajv's strict mode prints a warning for each such schema at every start.
    ajv: { customOptions: { allowUnionTypes: true } },
  };
  // With TLS Fastify's server is an https.Server; the instance is used the same way.
  const http = (
    tls ? Fastify({ ...fastifyOptions, https: { ...tls, handshakeTimeout: config.http.headersTimeoutMs } }) : Fastify(fastifyOptions)
  ) as FastifyInstance;
  // Before anything listens: the per-address cap and the header timeouts hold from the first connection.
  const connectionLimits = new ConnectionLimits(http.server, config.http, () => metrics.httpConnectionsRefused.inc());
  // The gateway is the channel to devices, and hands their command frames back to the services.
  const channel: DeviceChannel = { send: (deviceId, frame) => gateway.send(deviceId, frame) };
  const commandStore = meta.commands;
  const commands = new CommandService({
    store: commandStore,
    channel,
    bus,
    config: config.commands,
    log: log.child({ component: "commands" }),
    now,
    secrets: secrets.marking,
  });
  const desiredConfig = new DesiredConfigService({
    store: meta.desiredConfig,
    channel,
    bus,
    now,
    secrets: secrets.marking,
  });
  const profiles = new ProfileService({
    repository: meta.profiles,
    devices,
    desiredConfig,
    builtIns: BUILT_IN_PROFILES,
    maxConfigBytes: config.commands.maxArgsBytes,
    caches: deployment.caches,
    now,
    log: log.child({ component: "profiles" }),
  });
  const { audit } = meta;
  const alarmRepository = meta.alarms;
  // A new engine for each time this hub takes the alarm rules on (a cluster's duty changes hands; a single node: once).
  const newAlarmEngine = (): AlarmEngine =>
    new AlarmEngine({
      repository: alarmRepository,
      recorder: new AlarmRecorder({ repository: alarmRepository, bus, metrics, now }),
      devices,
      telemetry,
      isConnected: (deviceId: string): boolean => gateway.presence(deviceId) !== undefined,
      config: config.alarms,
      maxFutureMs: config.ingest.maxFutureMs,
      metrics,
      log: log.child({ component: "alarms" }),
      now,
    });
  const notifications = new NotificationService({
    repository: meta.notifications,
    alarms: alarmRepository,
    // Each alarm step is notified once: where it was made (in a cluster, by the alarm duty's holder or an acknowledging instance).
    bus: deployment.ownEvents,
    caches: deployment.caches,
    config: config.notifications,
    metrics,
    log: log.child({ component: "notifications" }),
    now,
  });
  let alarmRules: AlarmSide;
  try {
    alarmRules = await deployment.alarmRules({
      newEngine: newAlarmEngine,
      notifications,
      isConnected: (deviceId) => gateway.presence(deviceId) !== undefined,
      rules: () => alarmRepository.allRules(),
    });
  } catch (error) {
    await telemetry.close();
    await meta.close();
    await deployment.close();
    throw error;
  }
  const alarms = new AlarmService({
    repository: alarmRepository,
    engine: alarmRules.control,
    devices,
    profiles,
    telemetry,
    config: config.alarms,
    now,
  });
  const live = new LiveHub(config.live, bus, metrics);
  // Between the gateway and the live channel: notes each connected device's newest reading (stale devices).
  const freshness = new ReadingFreshness(live);
  const { security } = config;
  const throttleOptions = {
    maxFailures: security.authFailuresPerMinute,
    maxFailuresPerAddress: security.authFailuresPerAddressPerMinute,
    windowMs: 60_000,
    blockMs: security.authBlockMs,
  };
  // Devices and API clients are counted apart: a flood of bad API keys does not lock devices out, nor the reverse.
  const deviceThrottle = new FailureThrottle(throttleOptions, now);
  const apiThrottle = new FailureThrottle(throttleOptions, now);
  const clientAddresses = new ClientAddresses(security.trustProxy);
  const drain = new DrainState();
  const gateway = new DeviceGateway({
    config,
    devices,
    telemetry,
    writer,
    admission,
    metrics,
    log: log.child({ component: "gateway" }),
    now,
    commands,
    desiredConfig,
    profiles,
    live: deployment.liveFeed(freshness, live),
    alarms: alarmRules.observer,
    authThrottle: deviceThrottle,
    clientAddresses,
    connectionAccepted: (socket) => connectionLimits.release(socket),
    directory: options.deviceDirectory ?? deployment.directory,
    drain,
  });
  const { users } = meta;
  const accounts = new Accounts({
    users,
    sessions: meta.sessions,
    apiKeys,
    settings: security,
    apiThrottle,
    // Ended sessions', disabled or deleted users' and their revoked keys' live connections are closed.
    closeLive: (owners) => {
      for (const owner of owners) live.closeFor(owner, liveCloseCodeOf(owner));
    },
    now,
  });
  const authenticator = new ApiAuthenticator({
    apiKeys,
    users,
    sessions: accounts.sessions,
    throttle: apiThrottle,
    addresses: clientAddresses,
    now,
  });
  const liveSockets = new LiveSocketServer(live, authenticator, log.child({ component: "live" }));
  let generatedAdminKey: string | undefined;
  let generatedAdminPassword: string | undefined;
  try {
    // Several instances of a cluster may start at once: one at a time makes what must exist once.
    await meta.exclusively(async () => {
      const firstAdmin = await bootstrapAdminUser(users, config.adminPassword, now);
      generatedAdminPassword = firstAdmin.generatedPassword;
      generatedAdminKey = await bootstrapAdminKey(apiKeys, config.adminKey, now, firstAdmin.user?.id ?? null);
      // Before the first hello: auto-assignment matches against them.
      await profiles.seedBuiltIns();
    });
    // Listening before the engine's first step (its catch-up at start may make some).
    // Before the first device connects: states loaded, readings stored since they were saved evaluated.
    await alarmRules.start();
    routeUpgrades(
      http.server,
      {
        [DEVICE_PATH]: (req, socket, head, url) => gateway.handleUpgrade(req, socket, head, url),
        [LIVE_PATH]: (req, socket, head) => liveSockets.handleUpgrade(req, socket, head),
      },
      log,
    );
    await registerDeviceRoute(http, gateway, log.child({ component: "gateway" }));
    gateway.start();
    await registerHttpApi(http, {
      config,
      devices,
      apiKeys,
      telemetry,
      admission,
      presence: gateway,
      metrics,
      now,
      commands,
      commandStore,
      desiredConfig,
      audit,
      live,
      apiThrottle,
      clientAddresses,
      secrets: secrets.marking,
      authenticator,
      accounts,
      freshness,
      preferences: meta.preferences,
      profiles,
      alarms,
      notifications,
      drain,
      engineChecks: deployment.checks,
    });
    // Once for the whole deployment: on a cluster's lease holder only (docs/cluster.md, "Cluster duties").
    deployment.addDuty("commands", { start: () => commands.start(), stop: () => commands.stop() });
    deployment.startDuties();
    // Each event is sent once: by the instance where it happened (a single node: this one).
    webhooks?.start();
  } catch (error) {
    // Nothing may keep the process alive after a failed build (the gateway's timers, the databases).
    await deployment.stopDuties();
    webhooks?.stop();
    liveSockets.close();
    live.close();
    await gateway.close();
    await alarmRules.stop();
    await telemetry.close();
    await meta.close();
    await deployment.close();
    throw error;
  }

  let closed = false;
  return {
    config,
    http,
    gateway,
    devices,
    apiKeys,
    telemetry,
    alarms,
    metrics,
    log,
    generatedAdminKey,
    generatedAdminPassword,
    async listen() {
      await http.listen({ host: config.host, port: config.port });
      const address = http.server.address();
      if (address === null || typeof address === "string") throw new Error("the hub is not listening on a TCP port");
      const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
      return `${tls ? "https" : "http"}://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${address.port}`;
    },
    async close() {
      if (closed) return;
      closed = true;
      const { drainMs } = config.gateway;
      if (drainMs > 0) {
        log.info({ drainMs }, "draining: /readyz answers 503, new device sessions are refused, open ones go on");
        await drain.drain(drainMs);
      }
      liveSockets.close();
      live.close();
      await gateway.close();
      await http.close();
      await writer.drain();
      // The duties (a cluster's alarm duty among them) hand over what they hold before anything closes.
      await deployment.stopDuties();
      // After the last batch settled: its readings are evaluated and every state written.
      await alarmRules.stop();
      await webhooks?.stop();
      await telemetry.close();
      await meta.close();
      await deployment.close();
    },
  };
}
