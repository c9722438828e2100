import { Writable } from "node:stream";
import type Database from "better-sqlite3";
import type { Alarm, AlarmTransition } from "../../src/alarms/alarm.js";
import type { Actor } from "../../src/alarms/alarm-api.js";
import type { ChannelDefinition } from "../../src/alarms/notification-channel.js";
import type { Severity } from "../../src/alarms/rule.js";
import { DEFAULT_CONFIG, type HubConfig } from "../../src/config/hub-config.js";
import { InProcessEventBus } from "../../src/events/event-bus.js";
import { createLogger } from "../../src/logger.js";
import { HubMetrics } from "../../src/metrics.js";
import { NotificationService } from "../../src/notifications/notification-service.js";
import type { SecretFields } from "../../src/security/secret-fields.js";
import { SqliteAlarmRepository } from "../../src/storage/sqlite/sqlite-alarm-repository.js";
import { SqliteNotificationRepository } from "../../src/storage/sqlite/sqlite-notification-repository.js";
import { MetaDbs } from "./meta-db.js";

export const ADMIN: Actor = { by: "user:admin", byName: "admin" };

/**
 * A NotificationService over real SQLite repositories in a temp meta.db, with an in-process
 * bus, a clock the test may stop and move (`clock`), and every log line kept. `raise` and `step`
 * do what the alarm engine does: store the step, then publish `alarm.updated`.
 */
export class NotificationFixture {
  readonly dbs = new MetaDbs();
  readonly bus = new InProcessEventBus();
  readonly metrics = new HubMetrics();
  readonly logLines: string[] = [];
  /** `frozenAt` (when set) stands in for the wall clock; `offset` is added either way. */
  readonly clock: { offset: number; frozenAt?: number } = { offset: 0 };
  readonly now = (): number => (this.clock.frozenAt ?? Date.now()) + this.clock.offset;
  db: Database.Database;
  readonly path: string;
  readonly secrets: SecretFields;
  alarms: SqliteAlarmRepository;
  repository: SqliteNotificationRepository;
  service: NotificationService;
  private ruleId: string | undefined;
  private readonly log = createLogger(
    { logLevel: "debug" },
    new Writable({
      write: (chunk, _encoding, done) => {
        this.logLines.push(chunk.toString());
        done();
      },
    }),
  );

  constructor(readonly config: HubConfig["notifications"] = { ...DEFAULT_CONFIG.notifications }) {
    const { db, path, secrets } = this.dbs.create();
    this.db = db;
    this.path = path;
    this.secrets = secrets;
    this.alarms = new SqliteAlarmRepository(db, secrets);
    this.repository = new SqliteNotificationRepository(db, secrets, this.now);
    this.service = this.newService();
  }

  /** Stops the service, closes meta.db and opens it again with a new service (a restart), not started. */
  async restart(): Promise<NotificationService> {
    await this.service.stop();
    this.db = this.dbs.reopen(this.db, this.path);
    this.alarms = new SqliteAlarmRepository(this.db, this.secrets);
    this.repository = new SqliteNotificationRepository(this.db, this.secrets, this.now);
    this.service = this.newService();
    return this.service;
  }

  async dispose(): Promise<void> {
    await this.service.stop();
    this.dbs.dispose();
  }

  /** Raises an alarm of a rule on `deviceId` and announces it (unless `announce` is false: see {@link announce}). */
  async raise(
    deviceId: string,
    severity: Severity = "critical",
    message = `temperature 92.4 above 90 on ${deviceId}`,
    announce = true,
  ): Promise<Alarm> {
    this.ruleId ??= (
      await this.alarms.createRule(
        {
          name: "Boiler too hot",
          enabled: true,
          scope: { kind: "labels", labels: { site: "plant" } },
          condition: { kind: "metric", metric: "temperature", levels: [{ severity: "critical", op: "above", value: 90 }], forMs: 0 },
          clear: { mode: "auto", quietMs: 0 },
          reRaiseAfterMs: 900_000,
        },
        this.now(),
        "user:admin",
      )
    ).id;
    const at = this.now();
    const alarm = await this.alarms.raise({
      ruleId: this.ruleId,
      ruleName: "Boiler too hot",
      deviceId,
      profileId: null,
      severity,
      raisedAt: at,
      value: 92.4,
      message,
      transition: { kind: "raised", at, severity, by: "rule", byName: null, comment: null, value: 92.4 },
    });
    if (announce) await this.announce(alarm);
    return alarm;
  }

  /** Publishes the alarm's newest step as the engine does. */
  async announce(alarm: Alarm): Promise<void> {
    this.publish(alarm, (await this.alarms.transitions(alarm.id)).at(-1) as AlarmTransition);
  }

  /** Applies a step to an alarm (acknowledge, clear, …) and announces it. */
  async step(alarmId: string, step: Omit<AlarmTransition, "alarmId" | "seq">): Promise<Alarm> {
    const alarm = await this.alarms.transition(alarmId, step);
    if (!alarm) throw new Error(`no alarm ${alarmId}`);
    this.publish(alarm, (await this.alarms.transitions(alarmId)).at(-1) as AlarmTransition);
    return alarm;
  }

  /** A channel definition with a generous rate limit and no reminders, `overrides` applied. */
  channel(
    kind: ChannelDefinition["kind"],
    settings: ChannelDefinition["settings"],
    overrides: Partial<ChannelDefinition> = {},
  ): ChannelDefinition {
    return {
      name: `${kind} channel`,
      enabled: true,
      kind,
      settings,
      severities: ["critical", "major", "minor", "warning"],
      on: ["raised", "escalated", "deescalated", "cleared", "acknowledged"],
      repeatIntervalMs: 0,
      rateLimit: { count: 1_000, windowMs: 60_000 },
      ...overrides,
    };
  }

  private publish(alarm: Alarm, transition: AlarmTransition): void {
    this.bus.publish({ type: "alarm.updated", at: this.now(), alarm, transition });
  }

  private newService(): NotificationService {
    return new NotificationService({
      repository: this.repository,
      alarms: this.alarms,
      bus: this.bus,
      config: this.config,
      metrics: this.metrics,
      log: this.log,
      now: this.now,
    });
  }
}
