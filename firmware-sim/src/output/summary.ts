import type { RunOutcome } from "../run/simulation.js";
import type { Verification } from "../run/verify.js";
import { fmt, ms, plural, refusalList } from "./format.js";

/** The end-of-run report for people; `ramped`: the fleet connected with `--ramp`. */
export function summaryText(title: string, outcome: RunOutcome, verification: Verification | undefined, ramped: boolean): string {
  const s = outcome.final;
  const refusals = refusalList(s.refused);
  const seconds = outcome.elapsedMs / 1000;
  const f = outcome.faults;
  const lines = [
    "",
    title,
    `  sent           ${fmt(s.sent)} readings in ${fmt(seconds, 1)} s (${fmt(s.sent / seconds, 1)}/s)`,
    `  acknowledged   ${fmt(s.acknowledged)}`,
    `  pending        ${fmt(s.pending)}   dropped ${fmt(s.dropped)}   rejected batches ${fmt(s.rejected)}`,
    `  reconnects     ${fmt(s.reconnects)}${refusals ? `, of them refused at connect: ${refusals}` : ""}`,
    `  ack latency    p50 ${ms(outcome.ackP50Ms)}   p99 ${ms(outcome.ackP99Ms)}`,
    `  faults         disconnects ${f.disconnects}, kills ${f.kills}, malformed frames ${f.malformed}, bursts ${f.bursts}`,
  ];
  const busy = s.refused.TH_HUB_BUSY ?? 0;
  if (busy > 0 && !ramped) {
    lines.push(
      `  hint           the hub turned ${fmt(busy)} connection attempts away while busy with other handshakes (TH_HUB_BUSY, ` +
        "its gateway.maxConcurrentHandshakes, or gateway.maxHandshakesPerAddress from this one address); the devices retried with backoff. --ramp <devices/s> connects a fleet gradually",
    );
  }
  if (outcome.errors.size > 0) {
    const [first] = outcome.errors;
    lines.push(`  errors         ${plural(outcome.errors.size, "device")} stopped, e.g. ${first?.[0]}: ${first?.[1]}`);
  }
  if (verification) {
    const v = verification;
    lines.push(
      `  verify         stored ${fmt(v.stored)} of ${fmt(v.sent)} sent; acknowledged but lost ${fmt(v.lostAcknowledged)}; ` +
        `missing (never acknowledged) ${fmt(v.missing - v.lostAcknowledged)}; duplicates ${fmt(v.duplicates)}`,
    );
    if (v.lostAcknowledged > 0) lines.push(`  LOSS           acknowledged readings are missing on the hub (e.g. ${v.examples.join(", ")})`);
  }
  return `${lines.join("\n")}\n`;
}

/** The report for machines (`--json`). */
export function summaryJson(settings: Record<string, unknown>, outcome: RunOutcome, verification: Verification | undefined): string {
  return `${JSON.stringify(
    {
      settings,
      ...outcome.final,
      elapsedMs: Math.round(outcome.elapsedMs),
      ackP50Ms: outcome.ackP50Ms,
      ackP99Ms: outcome.ackP99Ms,
      faults: outcome.faults,
      errors: Object.fromEntries(outcome.errors),
      verification: verification ?? null,
    },
    (_, value: unknown) => (typeof value === "number" && !Number.isFinite(value) ? null : value),
    2,
  )}\n`;
}
