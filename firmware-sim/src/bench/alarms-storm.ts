import { TelehubClient } from "@telehub/device-client";
import { removeDataDir, spawnHub } from "@telehub/hub/spawn";
import { provisionDevices } from "../hub-api.js";
import { createChannel, createRules, whenActive } from "./alarms-hub-api.js";
import { ALL_SEVERITIES, FLEET_LABELS, offlineRule } from "./alarms-rules.js";
import { startWebhookReceiver } from "./alarms-webhook-receiver.js";
import { BENCH_HUB_ENV } from "./ingest-scenario.js";
import type { AlarmBenchSettings } from "./settings.js";

/** What the storm took, each time from the moment the devices were told to disconnect. */
export interface AlarmStormResult {
  devices: number;
  offlineAfterMs: number;
  tickMs: number;
  lateGraceMs: number;
  rateLimit: { count: number; windowMs: number };
  /** `offlineAfterMs + lateGraceMs + tickMs`: by when every alarm should be open (the hub acts on a deadline `lateGraceMs` after it, at its next tick). */
  expectedByMs: number;
  /** Until `GET /api/v1/alarms/summary` said every device's alarm was active. */
  allOpenMs: number;
  /** Until the first single notification arrived (it opens the channel's rate-limit window). */
  firstMessageMs: number;
  /** Until the digest arrived. */
  digestMs: number;
  /** Single notifications (not digests) received by then. */
  singleMessages: number;
  /** Digests received by then. */
  digests: number;
  /** Alarms the digest named. */
  digestAlarms: number;
}

/**
 * A storm: `stormDevices` connected devices under one `offline` rule and a webhook channel (every
 * severity, on `raised`, the settings' rate limit) to a local receiver; then every device
 * disconnects at once. Measured: until every alarm is active (the API's summary, polled every
 * 10 ms) and until the one digest with the alarms over the rate limit arrives. The rule and the
 * channel are created once every device is connected and no alarm is active, so only the storm
 * notifies.
 */
export async function runAlarmStorm(settings: AlarmBenchSettings): Promise<AlarmStormResult> {
  const { stormDevices: devices, offlineAfterMs, tickMs, lateGraceMs, rateLimit } = settings;
  const receiver = await startWebhookReceiver();
  const hub = await spawnHub({
    env: { ...BENCH_HUB_ENV, TELEHUB_ALARMS_TICK_MS: String(tickMs), TELEHUB_ALARMS_LATE_GRACE_MS: String(lateGraceMs) },
  });
  const clients: TelehubClient[] = [];
  try {
    const credentials = await provisionDevices(hub.url, hub.adminKey, "storm-", devices, { ...FLEET_LABELS });
    for (const { deviceId, token } of credentials) clients.push(new TelehubClient({ url: hub.url, deviceId, token }));
    for (let i = 0; i < clients.length; i += 100) await Promise.all(clients.slice(i, i + 100).map((c) => c.connect()));
    // After the devices connected: a rule created before would see them offline until then.
    await createRules(hub.url, hub.adminKey, [offlineRule(offlineAfterMs)]);
    await whenActive(hub.url, hub.adminKey, 0, 60_000);
    await createChannel(hub.url, hub.adminKey, {
      name: "storm receiver",
      enabled: true,
      kind: "webhook",
      settings: { url: receiver.url, secret: "bench-storm-receiver" },
      severities: [...ALL_SEVERITIES],
      on: ["raised"],
      repeatIntervalMs: 0,
      rateLimit,
    });

    const startedAt = performance.now();
    await Promise.all(clients.map((c) => c.close({ flush: false })));
    const expectedByMs = offlineAfterMs + lateGraceMs + tickMs;
    const allOpenAt = await whenActive(hub.url, hub.adminKey, devices, expectedByMs + 120_000);
    const digest = await receiver.first("alarm.digest", expectedByMs + rateLimit.windowMs + 120_000);
    const messages = receiver.received.filter((n) => n.at <= digest.at);
    return {
      devices,
      offlineAfterMs,
      tickMs,
      lateGraceMs,
      rateLimit,
      expectedByMs,
      allOpenMs: allOpenAt - startedAt,
      firstMessageMs: (messages[0]?.at ?? Number.NaN) - startedAt,
      digestMs: digest.at - startedAt,
      singleMessages: messages.filter((n) => n.type === "alarm.notification").length,
      digests: messages.filter((n) => n.type === "alarm.digest").length,
      digestAlarms: digest.alarms,
    };
  } finally {
    await Promise.all(clients.map((c) => c.close({ flush: false })));
    await hub.stop();
    removeDataDir(hub);
    await receiver.close();
  }
}
