import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AlarmTransition, Severity } from "@telehub/hub";
import { actorText, alarmDuration, alarmSpans, countText, durationText, transitionText } from "../../src/alarms/alarm-history.js";
import { contrastRatio, SEVERITIES, severityColor, severityRank, severityTextColor } from "../../src/alarms/severity.js";
import { drawOrder } from "../../src/charts/chart-span.js";
import { TOPIC_PATTERN } from "../../src/live/live-client.js";

let seq = 0;
function step(kind: AlarmTransition["kind"], at: number, severity: Severity, by = "rule"): AlarmTransition {
  return { alarmId: "alm_1", seq: ++seq, kind, at, severity, by, byName: null, comment: null, value: null };
}

describe("alarmSpans: an alarm's severities over time, for the charts", () => {
  it("a span per severity held, from raise through escalation and de-escalation to the clear", () => {
    const transitions = [
      step("raised", 1_000, "warning"),
      step("escalated", 5_000, "critical"),
      step("acknowledged", 6_000, "critical", "user:ann"),
      step("deescalated", 8_000, "minor"),
      step("cleared", 12_000, "minor"),
    ];
    assert.deepEqual(alarmSpans({ status: "cleared", clearedAt: 12_000 }, transitions, 99_000), [
      { from: 1_000, to: 5_000, severity: "warning" },
      { from: 5_000, to: 8_000, severity: "critical" },
      { from: 8_000, to: 12_000, severity: "minor" },
    ]);
  });

  it("an active alarm's last span ends now; the transitions' order is their seq, not the array's", () => {
    const raised = step("raised", 1_000, "major");
    const escalated = step("escalated", 3_000, "critical");
    assert.deepEqual(alarmSpans({ status: "active", clearedAt: null }, [escalated, raised], 10_000), [
      { from: 1_000, to: 3_000, severity: "major" },
      { from: 3_000, to: 10_000, severity: "critical" },
    ]);
  });

  it("a cleared alarm without a clear step (a person cleared it) ends at clearedAt; a step at the same instant leaves no empty span", () => {
    const transitions = [step("raised", 1_000, "minor"), step("escalated", 1_000, "major")];
    assert.deepEqual(alarmSpans({ status: "cleared", clearedAt: 4_000 }, transitions, 10_000), [
      { from: 1_000, to: 4_000, severity: "major" },
    ]);
  });
});

describe("alarm words", () => {
  it("durations humanised, active ones to now", () => {
    assert.equal(alarmDuration({ raisedAt: 1_000, clearedAt: null }, 61_000), 60_000);
    assert.equal(alarmDuration({ raisedAt: 1_000, clearedAt: 3_000 }, 61_000), 2_000);
    assert.equal(durationText(400), "under 1 s");
    assert.equal(durationText(45_700), "45 s");
    assert.equal(durationText(12 * 60_000 + 5_000), "12 min 5 s");
    assert.equal(durationText(2 * 86_400_000 + 4 * 3_600_000 + 59_000), "2 d 4 h");
  });

  it("who: the rule, the hub, or a person by name", () => {
    assert.equal(actorText("rule", null), "the rule");
    assert.equal(actorText("system", null), "the hub");
    assert.equal(actorText("user:ann", "Ann Operator"), "Ann Operator");
    assert.equal(actorText("user:ann", null), "ann");
    assert.equal(actorText(null, null), "–");
  });

  it("steps and counts in words", () => {
    assert.equal(transitionText({ kind: "raised", severity: "critical" }), "Raised as Critical");
    assert.equal(transitionText({ kind: "deescalated", severity: "minor" }), "De-escalated to Minor");
    assert.equal(transitionText({ kind: "acknowledged", severity: "minor" }), "Acknowledged");
    assert.equal(countText(0, "alarm"), "no alarms");
    assert.equal(countText(1, "alarm"), "1 alarm");
    assert.equal(countText(1_234, "alarm"), "1,234 alarms");
  });
});

describe("severity colours", () => {
  it("a chip's text reads on its colour in both themes (WCAG AA, 4.5:1)", () => {
    for (const mode of ["light", "dark"] as const)
      for (const severity of SEVERITIES) {
        const ratio = contrastRatio(severityColor(severity, mode), severityTextColor(severity, mode));
        assert.ok(ratio >= 4.5, `${severity} in ${mode}: ${ratio.toFixed(2)}:1`);
      }
  });

  it("each severity has its own colour, and ranks critical > major > minor > warning", () => {
    for (const mode of ["light", "dark"] as const) assert.equal(new Set(SEVERITIES.map((s) => severityColor(s, mode))).size, 4);
    assert.deepEqual(
      SEVERITIES.map((s) => severityRank(s)),
      [4, 3, 2, 1],
    );
  });

  it("overlapping spans are drawn most severe last; empty ones left out", () => {
    const order = drawOrder([
      { from: 0, to: 10, severity: "critical" },
      { from: 5, to: 5, severity: "major" },
      { from: 2, to: 8, severity: "warning" },
    ]);
    assert.deepEqual(
      order.map((s) => s.severity),
      ["warning", "critical"],
    );
  });
});

describe("the live client's alarm topics", () => {
  it("subscribes to alarms:* and alarms:<device> (others are left out of its subscribe messages)", () => {
    assert.ok(TOPIC_PATTERN.test("alarms:*"));
    assert.ok(TOPIC_PATTERN.test("alarms:alm-hot"));
    assert.ok(!TOPIC_PATTERN.test("alarm:*"));
  });
});
