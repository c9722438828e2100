import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { TelehubClient } from "@telehub/device-client";
import type { AlarmRule, BacktestResult, RuleDefinition } from "@telehub/hub";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { chartNamed, connectChartDevice, sendReadings, type TimedReading } from "../support/chart-probe.js";
import { launchChromium, requireChromium } from "../support/chromium.js";
import { DashboardHub } from "../support/dashboard-hub.js";
import { logIn, openPage, screenshot, withPage } from "../support/pages.js";

const MINUTE = 60_000;
const PROFILE = {
  id: "lab-thermo",
  name: "Lab thermostat",
  metrics: [{ name: "temperature", type: "number", kind: "gauge", displayName: "Temperature", unit: "°C", decimals: 1 }],
  commands: [],
  layout: { charts: [{ title: "Temperature", metrics: ["temperature"] }] },
};
const DEVICE = "lab-1";

/**
 * Two hours of a thermostat, one reading a minute: a 2-minute spike to 95 °C (shorter than the
 * rule's 5 minutes), then 20 minutes at 80, 10 at 95, 10 at 80, and back to 20.
 */
function history(now: number): TimedReading[] {
  const readings: TimedReading[] = [];
  for (let minutesAgo = 120; minutesAgo >= 1; minutesAgo--) {
    const temperature =
      minutesAgo <= 90 && minutesAgo > 88
        ? 95
        : minutesAgo <= 60 && minutesAgo > 40
          ? 80
          : minutesAgo <= 40 && minutesAgo > 30
            ? 95
            : minutesAgo <= 30 && minutesAgo > 20
              ? 80
              : 20;
    readings.push({ ts: now - minutesAgo * MINUTE, metrics: { temperature } });
  }
  return readings;
}

/** What the editor below is filled with, as the hub should store it. */
const RULE: RuleDefinition = {
  name: "Lab too warm",
  enabled: true,
  scope: { kind: "profile", profileId: PROFILE.id },
  condition: {
    kind: "metric",
    metric: "temperature",
    levels: [
      { severity: "warning", op: "above", value: 70, hysteresis: 5 },
      { severity: "critical", op: "above", value: 90 },
    ],
    forMs: 5 * MINUTE,
  },
  clear: { mode: "auto", quietMs: 0 },
  reRaiseAfterMs: 15 * MINUTE,
};

/** react-admin names inputs by path: `levels.0.value`. */
const field = (page: Page, path: string) => page.locator(`[name="${path}"]`);

/** Pick `option` in the select of the input `path` (MUI: a hidden input beside the combobox). */
async function pick(page: Page, path: string, option: string): Promise<void> {
  await field(page, path).locator("xpath=..").getByRole("combobox").click();
  await page.getByRole("option", { name: option, exact: true }).click();
}

async function rules(hub: DashboardHub): Promise<AlarmRule[]> {
  const { status, json } = await hub.api("GET", "/alarm-rules");
  assert.equal(status, 200, JSON.stringify(json));
  return (json as { data: AlarmRule[] }).data;
}

/** The stored rule's definition (what was sent). */
function definitionOf(rule: AlarmRule): RuleDefinition {
  const { id: _id, version: _v, createdAt: _c, updatedAt: _u, updatedBy: _by, ...definition } = rule;
  return definition;
}

describe("alarm rules in the dashboard: the editor, its backtest preview, refusals and conflicts, read-only for viewers", {
  skip: requireChromium(),
  timeout: 180_000,
}, () => {
  let hub: DashboardHub;
  let browser: Browser;
  let device: TelehubClient;
  let viewerKey: string;
  let operatorKey: string;
  // One operator tab for the file (a login per test would double its time); each test opens its page afresh.
  let operator: { context: BrowserContext; page: Page; errors: string[] };

  /** Open `hash` in the operator's tab and run `body`; the console must stay clean unless `allowErrors`. */
  async function asOperator(hash: string, body: (page: Page) => Promise<void>, options: { allowErrors?: boolean } = {}): Promise<void> {
    // What an earlier test left in the console is its own business.
    operator.errors.splice(0);
    await operator.page.goto(`${hub.url}/${hash}`);
    await body(operator.page);
    const errors = operator.errors.splice(0);
    if (!options.allowErrors) assert.deepEqual(errors, [], "the page logged errors");
  }

  before(async () => {
    hub = await DashboardHub.start();
    browser = await launchChromium();
    viewerKey = await hub.createKey("viewer");
    operator = await openPage(browser);
    operatorKey = await hub.createKey("operator");
    await logIn(operator.page, hub.url, operatorKey, "#/alarm-rules");
    const created = await hub.api("POST", "/profiles", PROFILE);
    assert.equal(created.status, 201, JSON.stringify(created.json));
    device = await connectChartDevice(hub, DEVICE, { profileId: PROFILE.id });
    await sendReadings(device, history(Date.now()));
  });

  after(async () => {
    await device?.close().catch(() => undefined);
    await operator?.context.close();
    await browser?.close();
    await hub?.close();
  });

  it("an operator writes a rule with units and durations, backtests it before saving (the hub's steps and spans on the chart), and saves it", async () => {
    let shown: { kind: string; severity: string; at: number }[] = [];
    let spans: unknown;
    await asOperator("#/alarm-rules/create", async (page) => {
      await field(page, "name").fill(RULE.name);
      await pick(page, "profileId", `${PROFILE.name} (${PROFILE.id})`);
      await field(page, "metric").fill("temperature");
      // The profile's unit stands beside the threshold; the hysteresis says what it does.
      const threshold = field(page, "levels.0.value");
      await threshold.fill("70");
      await threshold.locator("xpath=..").filter({ hasText: "°C" }).waitFor();
      await page.getByText("Suggested: 3.5 °C").waitFor();
      await field(page, "levels.0.hysteresis").fill("5");
      await page.getByText("Lets go below 65 °C").waitFor();
      await page.locator(".button-add-levels").click();
      await pick(page, "levels.1.severity", "critical");
      await field(page, "levels.1.value").fill("90");
      // Defaults an operator would choose: at once, clears at once, re-raised after 15 min.
      assert.equal(await field(page, "forText").inputValue(), "0");
      assert.equal(await field(page, "quietText").inputValue(), "0");
      assert.equal(await field(page, "reRaiseText").inputValue(), "15 min");
      await field(page, "forText").fill("5 min");

      // The backtest of the unsaved rule: the device in scope and the last 24 h by default.
      await page.getByTestId("backtest-device").locator("xpath=..").filter({ hasText: DEVICE }).waitFor();
      await page.getByTestId("backtest-run").click();
      const result = page.getByTestId("backtest-result");
      await result.waitFor();
      const chart = chartNamed(page, `Temperature on ${DEVICE}`);
      await chart.locator("canvas").first().waitFor();
      // What the chart drew: the alarm spans inside its window.
      await page.waitForFunction(
        () =>
          (document.querySelector<HTMLElement>("[data-testid=backtest-chart] [data-testid=chart]")?.dataset.alarmSpans ?? "[]") !== "[]",
      );
      spans = JSON.parse((await chart.getAttribute("data-alarm-spans")) ?? "null");
      shown = await page.getByTestId("backtest-step").evaluateAll((rows) =>
        rows.map((row) => {
          const data = (row as HTMLElement).dataset;
          return { kind: data.kind ?? "", severity: data.severity ?? "", at: Number(data.at) };
        }),
      );
      await screenshot(page, "alarm-rule-backtest");
      await page.getByRole("button", { name: "Save" }).click();
      await page.locator("tr", { hasText: RULE.name }).waitFor();
      await screenshot(page, "alarm-rules-list");
    });

    const [stored, ...others] = await rules(hub);
    assert.equal(others.length, 0);
    assert.deepEqual(definitionOf(stored as AlarmRule), RULE, "the hub stored what was typed, durations in ms");

    // The page showed the hub's own backtest: the same steps, the same spans.
    const { json } = await hub.api("POST", `/alarm-rules/${(stored as AlarmRule).id}/backtest`, {
      deviceId: DEVICE,
      from: Date.now() - 24 * 60 * MINUTE,
      to: Date.now(),
    });
    const expected = json as BacktestResult;
    assert.deepEqual(
      shown,
      expected.alarms.flatMap((alarm) => alarm.steps.map(({ kind, severity, at }) => ({ kind, severity, at }))),
    );
    assert.deepEqual(
      spans,
      expected.alarms.flatMap((alarm) => alarm.spans),
    );
    // The 2-minute spike raised nothing; the sustained rise was raised, escalated, de-escalated and cleared.
    assert.deepEqual(
      shown.map((step) => step.kind),
      ["raised", "escalated", "deescalated", "cleared"],
    );
    assert.deepEqual(
      shown.slice(0, 3).map((step) => step.severity),
      ["warning", "critical", "warning"],
    );
  });

  it("a refusal naming a field marks its input; an edit of a rule someone else saved meanwhile is a conflict to reload", async () => {
    const [rule] = await rules(hub);
    const id = (rule as AlarmRule).id;
    await asOperator(
      `#/alarm-rules/${id}`,
      async (page) => {
        await field(page, "levels.0.value").waitFor();
        // A range whose dead band is as wide as half of it: only the hub knows that rule.
        await pick(page, "levels.0.op", "outside range");
        await field(page, "levels.0.low").fill("10");
        await field(page, "levels.0.high").fill("30");
        await field(page, "levels.0.hysteresis").fill("12");
        await page.getByRole("button", { name: "Save" }).click();
        await page.getByTestId("rule-save-failure").filter({ hasText: "TH_API_RULE_INVALID" }).waitFor();
        assert.equal(await field(page, "levels.0.hysteresis").getAttribute("aria-invalid"), "true", "the input the hub named is marked");
        assert.equal(await field(page, "levels.0.low").inputValue(), "10", "what was typed stays");

        // Meanwhile someone saves version 2.
        const saved = await hub.api("PUT", `/alarm-rules/${id}`, { ...RULE, name: "Saved elsewhere", version: 1 });
        assert.equal(saved.status, 200, JSON.stringify(saved.json));
        await field(page, "levels.0.hysteresis").fill("2");
        await page.getByRole("button", { name: "Save" }).click();
        await page.getByTestId("rule-save-failure").filter({ hasText: "Someone else saved version 2" }).waitFor();
        await page.getByRole("button", { name: "Reload" }).click();
        await page.waitForFunction(() => document.querySelector<HTMLInputElement>("[name=name]")?.value === "Saved elsewhere");
      },
      { allowErrors: true },
    );
    const [after] = await rules(hub);
    assert.equal(after?.version, 2, "neither refused save changed the rule");
  });

  it("an offline rule says the backtest cannot replay it; a no-data rule is saved with its duration", async () => {
    await asOperator("#/alarm-rules/create", async (page) => {
      await field(page, "name").fill("Lab-1 offline");
      await page.getByRole("radio", { name: "One device" }).check();
      await page.getByRole("combobox", { name: "Device" }).first().fill(DEVICE);
      await page.getByRole("option", { name: DEVICE }).click();
      await page.getByRole("radio", { name: "Offline" }).check();
      await page.getByTestId("backtest-unsupported").filter({ hasText: "not supported for offline rules" }).waitFor();
      await page.getByRole("radio", { name: "No data" }).check();
      await field(page, "afterText").fill("1 h 30 min");
      assert.equal(await page.getByTestId("backtest-unsupported").count(), 0, "a no-data rule can be backtested");
      await page.getByRole("button", { name: "Save" }).click();
      await page.locator("tr", { hasText: "Lab-1 offline" }).waitFor();
      await page.locator("tr", { hasText: "Lab-1 offline" }).getByText("no data for 1 h 30 min").waitFor();
    });
    const rule = (await rules(hub)).find((r) => r.name === "Lab-1 offline");
    assert.deepEqual(rule?.scope, { kind: "device", deviceId: DEVICE });
    assert.deepEqual(rule?.condition, { kind: "noData", afterMs: 90 * MINUTE, severity: "major" });
  });

  it("on a phone (390 px) the editor and its backtest are no wider than the screen", async () => {
    const [rule] = await rules(hub);
    await withPage(
      browser,
      async (page) => {
        await logIn(page, hub.url, operatorKey, `#/alarm-rules/${(rule as AlarmRule).id}`);
        await page.getByTestId("backtest-run").click();
        await page.getByTestId("backtest-step").first().waitFor();
        await screenshot(page, "alarm-rule-phone");
        assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, "nothing wider than the screen");
      },
      { width: 390 },
    );
  });

  it("a viewer reads the rules in words but cannot create, edit or backtest them", async () => {
    await withPage(browser, async (page) => {
      await logIn(page, hub.url, viewerKey, "#/alarm-rules");
      await page.locator("tr", { hasText: "Saved elsewhere" }).click();
      await page.getByTestId("rule-details").filter({ hasText: "temperature above 70 (warning), above 90 (critical) for 5 min" }).waitFor();
      assert.equal(await page.getByRole("link", { name: "Edit" }).count(), 0);
      assert.equal(await page.getByRole("button", { name: "Delete" }).count(), 0);
      await page.goto(`${hub.url}/#/alarm-rules`);
      await page.locator("tr", { hasText: "Saved elsewhere" }).waitFor();
      assert.equal(await page.getByRole("link", { name: "Create" }).count(), 0);
    });
  });
});
