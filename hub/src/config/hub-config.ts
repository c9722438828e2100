import { DEFAULT_LIMITS, type ProtocolLimits } from "@telehub/device-client/protocol";
import { DEFAULT_SECRET_KEY_PATTERN } from "../security/secret-marking.js";

/** Everything the hub can be configured with. `docs/configuration.md` lists each key, its environment variable and default. */
export interface HubConfig {
  /** Interface to listen on. Default `0.0.0.0` (all). */
  host: string;
  /** TCP port for HTTP and device WebSockets; 0 picks a free one. Default 8080. */
  port: number;
  /** Folder of the embedded databases (`meta.db`, `telemetry.db`). Default `./data`. */
  dataDir: string;
  /** Initial admin API key, used only when no key exists yet; if empty one is generated and printed once. */
  adminKey: string;
  /**
   * Password of the first admin user (`admin`), used only at the first start (no user exists yet); if empty one is
   * generated and printed once. At least 12 characters, at most 1,024 bytes.
   */
  adminPassword: string;
  /** pino log level. Default `info`. */
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  storage: {
    /** Telemetry store: `sqlite` (embedded, default) or `influxdb` (see the `influx` section). */
    telemetry: "sqlite" | "influxdb";
    /** SQLite `synchronous`: `full` syncs each commit to disk (default), `normal` survives a crash of the hub but not of the machine. */
    sqliteSynchronous: "full" | "normal";
    /**
     * Run the telemetry store (SQLite, or InfluxDB's spool and writer) on a worker thread, so its
     * synced commits never stall the sockets: for slow disks (SD cards, network storage). Default false.
     */
    worker: boolean;
  };
  /** InfluxDB, used when `storage.telemetry` is `influxdb` (docs/influxdb.md). */
  influx: {
    /** Base URL of the v1-compatible HTTP API. Default `http://127.0.0.1:8086`. */
    url: string;
    /** Database (1.x, 3.x) or bucket name (2.x, Cloud, through its DBRP mapping). Default `telehub`. */
    database: string;
    /** Retention policy to write to; empty (default) for the database's default one. */
    retentionPolicy: string;
    /** Duration of `retentionPolicy` when the hub creates it (1.x, `createDatabase`), e.g. `30d`. Default `INF`. */
    retentionDuration: string;
    /** 1.x only: create the database (and retention policy) at start. Default false. */
    createDatabase: boolean;
    /** Measurement of every reading. Default `telemetry`. */
    measurement: string;
    /** API token (2.x, 3.x, Cloud), sent as `Authorization: Token …`; wins over username/password. Default empty. */
    token: string;
    /** 1.x user name (sent as `u`); empty for none. */
    username: string;
    /** 1.x password (sent as `p`). */
    password: string;
    /** Precision of written timestamps: `ms` (default), `us` or `ns`. */
    precision: "ms" | "us" | "ns";
    /** Most points in one write. Default 5,000. */
    batchSize: number;
    /** Longest spooled points wait for a fuller write. Default 100 ms. */
    flushIntervalMs: number;
    /** Cap of the backoff between failed writes (a longer `Retry-After` wins). Default 30,000 ms. */
    maxRetryDelayMs: number;
    /** Abort an InfluxDB request after this long. Default 10,000 ms. */
    requestTimeoutMs: number;
    /** Bytes of line protocol the on-disk spool may hold; when full, devices are refused with `TH_STORE_UNAVAILABLE`. Default 1 GiB. */
    spoolMaxBytes: number;
  };
  /** Limits enforced on device connections (see the protocol). */
  limits: ProtocolLimits;
  gateway: {
    /** The hub pings each device this often and drops one that did not answer the previous ping. Default 15,000 ms. */
    heartbeatIntervalMs: number;
    /** A device must send `hello` within this time after connecting. Default 10,000 ms. */
    helloTimeoutMs: number;
    /** Admission control: handshakes (upgrade to welcome) in progress at once; more get HTTP 503. Default 64. */
    maxConcurrentHandshakes: number;
    /**
     * Handshakes in progress from one client address at once (a share of `maxConcurrentHandshakes`); more get HTTP 503
     * `TH_HUB_BUSY`. 0: no limit. Default 16.
     */
    maxHandshakesPerAddress: number;
    /** A closed connection's peer has this long to answer the close frame before its socket is destroyed. Default 5,000 ms. */
    closeTimeoutMs: number;
    /**
     * At shutdown, drain this long first: `/readyz` answers 503 and new device sessions get 503 `TH_HUB_BUSY`, while
     * open ones go on (a load balancer meanwhile moves new connections elsewhere). 0: no drain. Default 0.
     */
    drainMs: number;
    /** Device connections at once; more get HTTP 503. Default 10,000. */
    maxDevices: number;
    /** Device connections from one address at once; 0: no limit (devices behind one NAT share an address). Default 0. */
    maxConnectionsPerAddress: number;
    /** `TH_RATE_LIMITED` answers a device may get in a row before it is disconnected with `TH_FLOOD`. Default 50. */
    floodStrikes: number;
    /** Delay suggested to a device whose batch could not be stored or was refused for load. Default 1,000 ms. */
    retryAfterMs: number;
    /** How often last-seen times are written to the registry. Default 5,000 ms. */
    lastSeenFlushMs: number;
    /** A device whose clock is further than this from the hub's is flagged. Default 60,000 ms. */
    clockSkewWarnMs: number;
    /** The HTTP device transport (docs/protocol.md §10). */
    http: {
      /** The longest a request is held when the hub has nothing to send (`?wait=` is capped at it; `welcome.wait`). Default 30,000 ms. */
      maxWaitMs: number;
      /** A session lives `ivl` plus this long after the end of its last request. Default 10,000 ms. */
      graceMs: number;
      /** The longest contact interval a device may declare (`hello.ivl` is capped at it). Default 3,600,000 ms (1 h). */
      maxIntervalMs: number;
      /** Requests held (long polls) at once, hub-wide; more get HTTP 503 `TH_HUB_BUSY`. Default 10,000. */
      maxPolls: number;
      /** Requests held at once from one client address; more get HTTP 503 `TH_HUB_BUSY`. 0: no limit. Default 1,000. */
      maxPollsPerAddress: number;
      /** Largest request body; larger gets HTTP 413 `TH_FRAME_TOO_LARGE`. Default 1,048,576 bytes (1 MiB). */
      maxBodyBytes: number;
      /** Most frames in one request; more get HTTP 413 `TH_FRAME_TOO_LARGE`. Default 64. */
      maxFramesPerRequest: number;
      /** A `cmd` or `config` not acknowledged this long after the response that carried it is sent again. Default 10,000 ms. */
      resendAfterMs: number;
    };
  };
  ingest: {
    /** Most device batches committed in one storage transaction (group commit). Default 512. */
    maxBatchesPerCommit: number;
    /** Distinct metric names one device may have; a batch bringing more is refused with `TH_METRIC_LIMIT`. Default 256. */
    maxMetricsPerDevice: number;
    /** Distinct (device, metric) series the hub holds over all devices; beyond, `TH_METRIC_LIMIT`. Bounds the catalogue's memory. Default 1,000,000. */
    maxSeries: number;
    /** A reading's `ts` may be at most this far ahead of the hub's clock, else `TH_TIMESTAMP_OUT_OF_RANGE`; 0: no limit. Default 86,400,000 ms (1 day). */
    maxFutureMs: number;
    /** A reading's `ts` may be at most this far behind the hub's clock, else `TH_TIMESTAMP_OUT_OF_RANGE`; 0: no limit. Default 31,536,000,000 ms (365 days). */
    maxPastMs: number;
  };
  api: {
    /** Page size when none is asked for. Default 25. */
    defaultPageSize: number;
    /** Largest page of a list. Default 1,000. */
    maxPageSize: number;
    /** Most raw points one query returns. Default 10,000. */
    maxRawPoints: number;
    /** Most buckets one history query returns. Default 2,000. */
    maxHistoryPoints: number;
    /** Most rows one telemetry export (`/devices/:id/telemetry/export`) streams; past it the export ends with a truncation marker. Default 1,000,000. */
    maxExportRows: number;
    /** Serve `/metrics` without an API key (for a Prometheus on a private network). Default false. */
    publicMetrics: boolean;
    /** Comma-separated origins (`https://dash.example.com`) whose browser pages may call the API (CORS); empty: none. Default empty. */
    corsOrigins: string;
    /** Deepest nesting of arrays and objects in a JSON body (`{}` is 1); deeper is refused with `TH_API_MALFORMED_BODY`. Default 32. */
    maxJsonDepth: number;
  };
  commands: {
    /** Commands a device may have queued or sent at once; more get 429. Default 100. */
    maxQueuedPerDevice: number;
    /** Time to live when a request gives none: a command not delivered by then expires. Default 86,400,000 ms (1 day). */
    defaultTtlMs: number;
    /** Longest time to live a request may ask for. Default 604,800,000 ms (7 days). */
    maxTtlMs: number;
    /** Time from delivery to result when a request gives none; then the command times out. Default 30,000 ms. */
    defaultTimeoutMs: number;
    /** Longest a request may wait for a command's final state (`wait`). Default 30,000 ms. */
    maxWaitMs: number;
    /** Largest `args` (as JSON) in bytes. Default 16,384. */
    maxArgsBytes: number;
    /** How often expiries and result timeouts are checked. Default 250 ms. */
    sweepIntervalMs: number;
  };
  security: {
    /**
     * Failed authentications of one identity (a device id, an API key id) from one address within a minute before that
     * identity is refused from that address for `authBlockMs`. Devices and API clients are counted apart. Default 30.
     */
    authFailuresPerMinute: number;
    /** Failed authentications of any identities from one address within a minute before the address is refused for every identity that has not authenticated from it before. Default 300. */
    authFailuresPerAddressPerMinute: number;
    /** How long a throttled identity (or a throttled address's unproved identities) is refused (429) without its credentials being checked. Default 60,000 ms. */
    authBlockMs: number;
    /**
     * Reverse proxies whose `Forwarded` / `X-Forwarded-For` headers are believed: comma-separated addresses and CIDRs
     * (`127.0.0.1, 10.0.0.0/8`). Empty (default): no proxy is trusted and the TCP peer is the client.
     */
    trustProxy: string;
    /** Longest grace period a token rotation may give the replaced token (`graceMs`). Default 604,800,000 ms (7 days). */
    maxTokenGraceMs: number;
    /**
     * Regular expression (source, matched case-insensitively against each object key) that marks the values of command
     * `args`, command `result` and configuration documents as secret: encrypted in meta.db, `[redacted]` for viewers, in
     * the audit log, webhooks and the live channel. Default `(password|passwd|passphrase|secret|token|api_?key|private_?key|psk|credentials?)$`.
     */
    secretKeyPattern: string;
    /** Base64 of the 32-byte key that encrypts secret values in meta.db; empty (default): `<dataDir>/secrets.key`, generated at the first start. */
    secretsKey: string;
    /** A dashboard session unused this long ends (its `lastSeenAt` is kept to the minute). Default 43,200,000 ms (12 h). */
    sessionIdleMs: number;
    /** A dashboard session ends this long after login, used or not. Default 604,800,000 ms (7 days). */
    sessionMaxMs: number;
    /**
     * Failed logins (or password checks) of one account within 15 minutes, over all addresses, before the account is
     * refused for `loginBlockMs` from every address it has not logged in from before. Default 10.
     */
    loginFailuresPerAccount: number;
    /** How long an account that failed too often is refused (429). Default 900,000 ms (15 min). */
    loginBlockMs: number;
  };
  /** Limits on the HTTP server's TCP connections (the API, the dashboard, and every WebSocket before it is accepted). */
  http: {
    /**
     * TCP connections from one peer address at once, accepted device sessions not counted (`gateway.maxConnectionsPerAddress`
     * governs those); more are closed at once. The peer is the TCP peer, a reverse proxy's address behind one. 0: no limit. Default 256.
     */
    maxConnectionsPerAddress: number;
    /** A request's headers (and, with TLS, the TLS handshake before them) must arrive within this time, or the connection is closed. Default 10,000 ms. */
    headersTimeoutMs: number;
    /** A whole request (headers and body) must arrive within this time (never less than `headersTimeoutMs`). Default 30,000 ms. */
    requestTimeoutMs: number;
  };
  tls: {
    /** PEM certificate (chain) file: with `keyFile`, the hub serves HTTPS and WSS on `port`. Default empty (plain HTTP; or terminate TLS in a reverse proxy). */
    certFile: string;
    /** PEM private key file of the certificate. Default empty. */
    keyFile: string;
    /** Oldest TLS version served: `TLSv1.2` (default) or `TLSv1.3`. */
    minVersion: "TLSv1.2" | "TLSv1.3";
    /**
     * OpenSSL cipher list for TLS 1.2: by default the ECDHE AEAD suites of Mozilla's "intermediate" profile (forward
     * secrecy, no CBC, no SHA-1, no DHE). TLS 1.3 always uses Node's default suites.
     */
    ciphers: string;
    /** `Strict-Transport-Security: max-age` sent on every HTTPS answer, in seconds; 0: no header. Default 31,536,000 (1 year). */
    hstsMaxAgeS: number;
    /** Add `includeSubDomains` to that header (every subdomain must then serve HTTPS). Default false. */
    hstsIncludeSubDomains: boolean;
  };
  live: {
    /**
     * When a reading goes out on the live channel: `accepted` (validated and handed to the store, so a
     * dashboard sees it at once) or `durable` (once committed, a store commit later). Default `accepted`.
     */
    publish: "accepted" | "durable";
    /** At least this long between two updates to one dashboard connection; 0 sends whatever a turn of the event loop gathered. Default 0. */
    flushIntervalMs: number;
    /** A connection with more unsent bytes than this gets nothing new until it drains; meanwhile only the latest value per metric is kept. Default 1,048,576. */
    maxBufferedBytes: number;
    /** Command, presence and configuration events kept per connection while it is slow; the oldest beyond are dropped (and the client told). Default 1,000. */
    maxQueuedEvents: number;
    /** Live connections (WebSocket, SSE and long-poll subscriptions) at once; more get 503. Default 1,000. */
    maxSubscribers: number;
    /** Live connections one API key, or one user (sessions and the user's keys together), may hold at once; more get 429. Default 20. */
    maxSubscribersPerCaller: number;
    /** A connected device whose newest reading is older than this counts as stale (`/fleet/summary`, `state=stale`). Default 60,000 ms. */
    staleAfterMs: number;
    /** Longest a live long poll (`GET /api/v1/live/poll`) is held when there is no news; a longer `wait` is cut to this. Default 25,000 ms. */
    maxPollWaitMs: number;
    /** A live long-poll subscription with no poll waiting ends this long after its last answer; its cursor then gets a new subscription and `resync`. Default 30,000 ms. */
    pollExpiryMs: number;
  };
  dashboard: {
    /** Serve the operator dashboard (the built single-page app) at `/`. Default true. */
    enabled: boolean;
    /** Folder of the built dashboard (`index.html`, `assets/`); empty (default): the `@telehub/dashboard` package's `dist/app`. */
    dir: string;
  };
  webhooks: {
    /** URL that receives every command and configuration event as a signed POST; empty: off. Default empty. */
    url: string;
    /** Secret for the `X-Telehub-Signature` HMAC-SHA256 of each body. Default empty (required with a URL). */
    secret: string;
    /** Time allowed per delivery attempt. Default 5,000 ms. */
    timeoutMs: number;
    /** Events waiting for delivery at most; beyond, the oldest are dropped and counted. Default 1,000. */
    maxQueued: number;
  };
  /** Alarm rules' evaluation (docs/alarms.md). */
  alarms: {
    /** How often deadlines (durations, no data, offline, quiet periods, re-raises) are checked. Default 1,000 ms. */
    tickMs: number;
    /** A deadline is acted on once the hub's clock is this far past it, so readings stamped just before it still count. Default 2,000 ms. */
    lateGraceMs: number;
    /** How often changed evaluation states are written to meta.db (and at shutdown; after a crash the readings since are evaluated again). Default 10,000 ms. */
    stateFlushMs: number;
    /** At start, readings stored after a state's last evaluated moment are evaluated, looking at most this far back. Default 3,600,000 ms (1 h). */
    maxCatchUpMs: number;
    /** Alarm rules at most; creating more is refused with 409 `TH_API_RULE_LIMIT`. Default 1,000. */
    maxRules: number;
    /** Readings one backtest evaluates at most; beyond, the result is cut short (`truncated`). Default 200,000. */
    maxBacktestPoints: number;
    /** Longest range one backtest covers. Default 2,678,400,000 ms (31 days). */
    maxBacktestRangeMs: number;
  };
  notifications: {
    /** Attempts to send one notification before it is marked failed. Default 8. */
    maxAttempts: number;
    /** Wait before the second attempt; each further one waits twice as long as the one before (capped by `maxRetryDelayMs`). Default 1,000 ms. */
    retryBaseMs: number;
    /** Longest wait between two attempts. Default 300,000 ms (5 min). */
    maxRetryDelayMs: number;
    /** Time allowed per attempt (connect, SMTP dialogue or HTTP answer); then the attempt fails. Default 10,000 ms. */
    timeoutMs: number;
    /** How often active, unacknowledged alarms are checked for a due reminder (a channel's `repeatIntervalMs`). Default 30,000 ms. */
    repeatCheckMs: number;
    /** Notification channels at most. Default 100. */
    maxChannels: number;
    /** The dashboard's address as people reach it (`https://hub.example.com`): messages link to `<base>/#/alarms/<id>`; empty (default): no link. */
    linkBaseUrl: string;
  };
  /**
   * Several hub instances on PostgreSQL and NATS JetStream (docs/cluster.md). All empty (default):
   * today's single-node hub on the embedded `meta.db`.
   */
  cluster: {
    /** PostgreSQL connection URL of the cluster's metadata (`postgres://user:pass@host:5432/telehub`). Default empty. */
    postgresUrl: string;
    /** Connections this instance keeps to PostgreSQL at most. Default 10. */
    postgresPoolSize: number;
    /** NATS server URLs, comma-separated (`nats://n1:4222,nats://n2:4222`); JetStream must be enabled. Default empty. */
    natsUrls: string;
    /** NATS user name (with `natsPassword`); empty for none. */
    natsUser: string;
    /** NATS password. */
    natsPassword: string;
    /** NATS token; empty for none. */
    natsToken: string;
    /** How long the first connection to NATS is tried at start before the hub gives up. Default 30,000 ms. */
    natsConnectTimeoutMs: number;
    /** Wait between reconnection attempts to one NATS server (plus up to half as much at random); tried forever. Default 1,000 ms. */
    natsReconnectWaitMs: number;
    /** Pings to an idle NATS server this often; two unanswered pings count it as gone. Default 10,000 ms. */
    natsPingIntervalMs: number;
    /** Live news and events held for NATS while it is away; beyond this they are dropped (and counted). Default 8 MiB. */
    natsOfflineBufferBytes: number;
    /** Prefix of this cluster's NATS subjects, stream and KV bucket names (letters, digits, `_`, `-`). Default `telehub`. */
    natsPrefix: string;
    /** Replicas of the JetStream stream and KV buckets: 1 for one NATS server, 3 in production. Default 1. */
    replicas: number;
    /** This instance's id, unique in the cluster (letters, digits, `_`, `-`); empty: `<hostname>-<port>`. */
    instanceId: string;
    /** Bytes of batches the JetStream ingest stream holds before InfluxDB has them; when full, devices are refused with `TH_STORE_UNAVAILABLE`. Default 1 GiB. */
    ingestMaxBytes: number;
    /** An append fails (devices get `TH_STORE_UNAVAILABLE`) when JetStream has not acknowledged its publish within this time. Default 5,000 ms. */
    ingestPublishTimeoutMs: number;
    /** An alarm acknowledge or clear waits this long for the instance evaluating the rules; then 503 `TH_API_ALARMS_UNAVAILABLE`. Default 5,000 ms. */
    alarmRequestTimeoutMs: number;
    /** How often an instance writes its heartbeat; after 3 missed beats the others count it as dead (its devices as not connected). Default 5,000 ms. */
    heartbeatIntervalMs: number;
    /** A once-per-cluster duty (the command sweeper) passes to another instance this long after its holder died. Default 10,000 ms. */
    /**
     * A batch a drainer took from the ingest stream and did not acknowledge this long after is handed to another
     * instance's drainer (its instance died while writing to InfluxDB). Default 30,000 ms.
     */
    ingestAckWaitMs: number;
    leaseMs: number;
  };
}

/** The defaults of {@link HubConfig}. */
export const DEFAULT_CONFIG: HubConfig = {
  host: "0.0.0.0",
  port: 8080,
  dataDir: "./data",
  adminKey: "",
  adminPassword: "",
  logLevel: "info",
  storage: { telemetry: "sqlite", sqliteSynchronous: "full", worker: false },
  influx: {
    url: "http://127.0.0.1:8086",
    database: "telehub",
    retentionPolicy: "",
    retentionDuration: "INF",
    createDatabase: false,
    measurement: "telemetry",
    token: "",
    username: "",
    password: "",
    precision: "ms",
    batchSize: 5_000,
    flushIntervalMs: 100,
    maxRetryDelayMs: 30_000,
    requestTimeoutMs: 10_000,
    spoolMaxBytes: 1_073_741_824,
  },
  limits: { ...DEFAULT_LIMITS },
  gateway: {
    heartbeatIntervalMs: 15_000,
    helloTimeoutMs: 10_000,
    maxConcurrentHandshakes: 64,
    maxHandshakesPerAddress: 16,
    closeTimeoutMs: 5_000,
    drainMs: 0,
    maxDevices: 10_000,
    maxConnectionsPerAddress: 0,
    floodStrikes: 50,
    retryAfterMs: 1_000,
    lastSeenFlushMs: 5_000,
    clockSkewWarnMs: 60_000,
    http: {
      maxWaitMs: 30_000,
      graceMs: 10_000,
      maxIntervalMs: 3_600_000,
      maxPolls: 10_000,
      maxPollsPerAddress: 1_000,
      maxBodyBytes: 1_048_576,
      maxFramesPerRequest: 64,
      resendAfterMs: 10_000,
    },
  },
  ingest: { maxBatchesPerCommit: 512, maxMetricsPerDevice: 256, maxSeries: 1_000_000, maxFutureMs: 86_400_000, maxPastMs: 31_536_000_000 },
  api: {
    defaultPageSize: 25,
    maxPageSize: 1_000,
    maxRawPoints: 10_000,
    maxHistoryPoints: 2_000,
    maxExportRows: 1_000_000,
    publicMetrics: false,
    corsOrigins: "",
    maxJsonDepth: 32,
  },
  commands: {
    maxQueuedPerDevice: 100,
    defaultTtlMs: 86_400_000,
    maxTtlMs: 604_800_000,
    defaultTimeoutMs: 30_000,
    maxWaitMs: 30_000,
    maxArgsBytes: 16_384,
    sweepIntervalMs: 250,
  },
  security: {
    authFailuresPerMinute: 30,
    authFailuresPerAddressPerMinute: 300,
    authBlockMs: 60_000,
    trustProxy: "",
    maxTokenGraceMs: 604_800_000,
    secretKeyPattern: DEFAULT_SECRET_KEY_PATTERN,
    secretsKey: "",
    sessionIdleMs: 43_200_000,
    sessionMaxMs: 604_800_000,
    loginFailuresPerAccount: 10,
    loginBlockMs: 900_000,
  },
  http: { maxConnectionsPerAddress: 256, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 },
  tls: {
    certFile: "",
    keyFile: "",
    minVersion: "TLSv1.2",
    ciphers: [
      "ECDHE-ECDSA-AES128-GCM-SHA256",
      "ECDHE-RSA-AES128-GCM-SHA256",
      "ECDHE-ECDSA-AES256-GCM-SHA384",
      "ECDHE-RSA-AES256-GCM-SHA384",
      "ECDHE-ECDSA-CHACHA20-POLY1305",
      "ECDHE-RSA-CHACHA20-POLY1305",
    ].join(":"),
    hstsMaxAgeS: 31_536_000,
    hstsIncludeSubDomains: false,
  },
  live: {
    publish: "accepted",
    flushIntervalMs: 0,
    maxBufferedBytes: 1_048_576,
    maxQueuedEvents: 1_000,
    maxSubscribers: 1_000,
    maxSubscribersPerCaller: 20,
    staleAfterMs: 60_000,
    maxPollWaitMs: 25_000,
    pollExpiryMs: 30_000,
  },
  dashboard: { enabled: true, dir: "" },
  webhooks: { url: "", secret: "", timeoutMs: 5_000, maxQueued: 1_000 },
  alarms: {
    tickMs: 1_000,
    lateGraceMs: 2_000,
    stateFlushMs: 10_000,
    maxCatchUpMs: 3_600_000,
    maxRules: 1_000,
    maxBacktestPoints: 200_000,
    maxBacktestRangeMs: 2_678_400_000,
  },
  notifications: {
    maxAttempts: 8,
    retryBaseMs: 1_000,
    maxRetryDelayMs: 300_000,
    timeoutMs: 10_000,
    repeatCheckMs: 30_000,
    maxChannels: 100,
    linkBaseUrl: "",
  },
  cluster: {
    postgresUrl: "",
    postgresPoolSize: 10,
    natsUrls: "",
    natsUser: "",
    natsPassword: "",
    natsToken: "",
    natsConnectTimeoutMs: 30_000,
    natsReconnectWaitMs: 1_000,
    natsPingIntervalMs: 10_000,
    natsOfflineBufferBytes: 8_388_608,
    natsPrefix: "telehub",
    replicas: 1,
    instanceId: "",
    ingestMaxBytes: 1_073_741_824,
    ingestPublishTimeoutMs: 5_000,
    alarmRequestTimeoutMs: 5_000,
    heartbeatIntervalMs: 5_000,
    ingestAckWaitMs: 30_000,
    leaseMs: 10_000,
  },
};

/** Allowed values of the keys that take one of a few strings. */
export const CONFIG_CHOICES: Record<string, readonly string[]> = {
  logLevel: ["fatal", "error", "warn", "info", "debug", "trace", "silent"],
  "storage.telemetry": ["sqlite", "influxdb"],
  "influx.precision": ["ms", "us", "ns"],
  "storage.sqliteSynchronous": ["full", "normal"],
  "live.publish": ["accepted", "durable"],
  "tls.minVersion": ["TLSv1.2", "TLSv1.3"],
};

/** A partial configuration, as a file or a test gives it. */
export type HubConfigInput = {
  [K in keyof HubConfig]?: HubConfig[K] extends object ? PartialSection<HubConfig[K]> : HubConfig[K];
};

/** A section with any of its keys, and any keys of its sub-sections (`gateway.http`). */
type PartialSection<T> = { [K in keyof T]?: T[K] extends object ? Partial<T[K]> : T[K] };
