import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { TelehubClient } from "@telehub/device-client";
import type { Alarm, AlarmTransition } from "@telehub/hub";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { connectChartDevice } from "../support/chart-probe.js";
import { launchChromium, requireChromium } from "../support/chromium.js";
import { ADMIN_KEY, DashboardHub } from "../support/dashboard-hub.js";
import { logIn, logInWithPassword, openPage, screenshot, withPage } from "../support/pages.js";

const OPERATOR = { username: "olga", name: "Olga Operator", role: "operator", password: "olga-operator-password" } as const;
const VIEWER = { username: "vic", name: "Vic Viewer", role: "viewer", password: "vic-viewer-password-1" } as const;
const MINUTE = 60_000;

/** Warning above 30, critical above 40, on one device; at once, cleared at once. */
function hotRule(deviceId: string) {
  return {
    name: `Too hot (${deviceId})`,
    enabled: true,
    scope: { kind: "device", deviceId },
    condition: {
      kind: "metric",
      metric: "temperature",
      levels: [
        { severity: "warning", op: "above", value: 30 },
        { severity: "critical", op: "above", value: 40 },
      ],
      forMs: 0,
    },
    clear: { mode: "auto", quietMs: 0 },
    reRaiseAfterMs: 900_000,
  };
}

type AlarmView = Alarm & { transitions: AlarmTransition[] };

describe("alarms in the dashboard, raised by a real device crossing a rule, in headless Chromium", {
  skip: requireChromium(),
  timeout: 120_000,
}, () => {
  let hub: DashboardHub;
  let browser: Browser;
  let hot: TelehubClient;
  let warm: TelehubClient;
  /** One operator's tab for the tests that act (one login, as a person would keep it open). */
  let operator: { context: BrowserContext; page: Page; errors: string[] };
  const start = Date.now();

  async function send(client: TelehubClient, temperature: number, ts: number): Promise<void> {
    client.send({ temperature }, ts);
    await client.flush(10_000);
  }

  async function alarmsOf(deviceId: string): Promise<AlarmView[]> {
    const { json } = await hub.api("GET", `/alarms?deviceId=${deviceId}&include=transitions`);
    return (json as { data: AlarmView[] }).data;
  }

  /** The app bar's badge shows `count` unacknowledged alarms (waits for it: it moves live). */
  async function badgeSays(page: Page, count: number): Promise<void> {
    await page.locator(`[data-testid=alarm-badge][data-count="${count}"]`).waitFor();
  }

  before(async () => {
    hub = await DashboardHub.start({ alarms: { tickMs: 100, lateGraceMs: 100, stateFlushMs: 200 } });
    browser = await launchChromium();
    await hub.createUser(OPERATOR);
    await hub.createUser(VIEWER);
    hot = await connectChartDevice(hub, "alm-hot");
    warm = await connectChartDevice(hub, "alm-warm");
    // Normal history before any rule: the charts have a line to shade behind.
    for (const minutesAgo of [14, 13, 12, 11]) await send(hot, 22, start - minutesAgo * MINUTE);
    // A state metric too: its state timeline gets the spans over its lane.
    hot.send({ door: "closed" }, start - 14 * MINUTE);
    hot.send({ door: "open" }, start - 1 * MINUTE);
    await hot.flush(10_000);
    operator = await openPage(browser);
    await logInWithPassword(operator.page, hub.url, OPERATOR.username, OPERATOR.password, "#/alarms");
  });

  after(async () => {
    await hot?.close({ timeoutMs: 1_000 }).catch(() => undefined);
    await warm?.close({ timeoutMs: 1_000 }).catch(() => undefined);
    await operator?.context.close();
    await browser?.close();
    await hub?.close();
  });

  it("the badge counts a new alarm live, and the open list shows it and its escalation without a reload", async () => {
    const { page } = operator;
    await badgeSays(page, 0);
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const created = await hub.api("POST", "/alarm-rules", hotRule("alm-hot"));
    assert.equal(created.status, 201, JSON.stringify(created.json));

    await send(hot, 35, start - 10 * MINUTE);
    await badgeSays(page, 1);
    const row = page.locator(".RaDatagrid-row").filter({ hasText: "alm-hot" });
    await row.locator("[data-testid=severity-chip][data-severity=warning]").waitFor();
    assert.match((await row.getByTestId("alarm-message").textContent()) ?? "", /temperature/);
    assert.match((await row.getByTestId("alarm-duration").textContent()) ?? "", /^10 min( \d+ s)? so far$/);

    await send(hot, 45, start - 5 * MINUTE);
    await row.locator("[data-testid=severity-chip][data-severity=critical]").waitFor();
    await page.locator("[data-testid=alarm-badge][data-severity=critical]").waitFor();
    assert.equal(
      await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded),
      true,
      "the page was not reloaded",
    );
    const [alarm] = await alarmsOf("alm-hot");
    assert.deepEqual(
      alarm?.transitions.map((t) => [t.kind, t.severity]),
      [
        ["raised", "warning"],
        ["escalated", "critical"],
      ],
    );
    await screenshot(page, "alarm-list");
  });

  it("an acknowledge with a comment appears in the alarm's timeline with its user, and the badge drops", async () => {
    const { page } = operator;
    await page.goto(`${hub.url}/#/alarms`);
    await badgeSays(page, 1);
    await page.locator(".RaDatagrid-row").filter({ hasText: "alm-hot" }).getByTestId("alarm-message").click();
    await page.getByTestId("alarm-timeline").waitFor();
    await page.getByTestId("alarm-acknowledge").click();
    await page.getByTestId("alarm-comment").fill("Fan replaced; watching it");
    await page.getByTestId("alarm-acknowledge-confirm").click();

    const step = page.locator("[data-testid=alarm-transition][data-kind=acknowledged]");
    await step.waitFor();
    assert.equal(await step.getByTestId("alarm-transition-comment").textContent(), "Fan replaced; watching it");
    assert.equal(await step.getByTestId("alarm-transition-by").textContent(), OPERATOR.name);
    await page.locator("[data-testid=alarm-ack][data-acknowledged=true]").waitFor();
    assert.equal(await page.getByTestId("alarm-acknowledge").count(), 0, "no second acknowledge");
    await badgeSays(page, 0);

    const [alarm] = await alarmsOf("alm-hot");
    assert.equal(alarm?.acknowledged, true);
    const stored = alarm?.transitions.find((t) => t.kind === "acknowledged");
    assert.equal(stored?.comment, "Fan replaced; watching it");
    assert.equal(stored?.by, `user:${OPERATOR.username}`);
    await screenshot(page, "alarm-show");
  });

  it("a viewer reads alarms (in dark mode: the severity colours' tints) but gets no acknowledge, clear or bulk selection", async () => {
    const created = await hub.api("POST", "/alarm-rules", hotRule("alm-warm"));
    assert.equal(created.status, 201, JSON.stringify(created.json));
    await send(warm, 33, Date.now());
    let alarm: AlarmView | undefined;
    for (let i = 0; i < 100 && !alarm; i++) {
      [alarm] = await alarmsOf("alm-warm");
      if (!alarm) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(alarm, "the rule raised an alarm on alm-warm");
    // The viewer's tab is in dark mode: the severity colours are checked there too.
    const { context, page, errors } = await openPage(browser);
    try {
      await page.emulateMedia({ colorScheme: "dark" });
      await logInWithPassword(page, hub.url, VIEWER.username, VIEWER.password, "#/alarms");
      await badgeSays(page, 1);
      await page.locator(".RaDatagrid-row").filter({ hasText: "alm-warm" }).waitFor();
      assert.equal(await page.locator(".RaDatagrid-row input[type=checkbox]").count(), 0, "no row selection for a viewer");
      const colours = await page
        .locator(".RaDatagrid-row")
        .filter({ hasText: "alm-hot" })
        .getByTestId("severity-chip")
        .evaluate((element) => [getComputedStyle(element).backgroundColor, getComputedStyle(element).color]);
      assert.deepEqual(colours, ["rgb(239, 83, 80)", "rgb(0, 0, 0)"], "critical in dark mode: the light red, black text");
      // The badge opens the list of what it counts: alm-hot was acknowledged, alm-warm was not.
      await page.getByTestId("alarm-badge").click();
      await page.locator(".RaDatagrid-row").filter({ hasText: "alm-hot" }).waitFor({ state: "detached" });
      assert.equal(await page.locator("tbody .RaDatagrid-row").count(), 1, "one alarm waits for an acknowledgement");
      await page.locator(".RaDatagrid-row").filter({ hasText: "alm-warm" }).waitFor();
      await page.goto(`${hub.url}/#/alarms/${alarm.id}/show`);
      await page.getByTestId("alarm-timeline").waitFor();
      await page.locator("[data-testid=alarm-ack][data-acknowledged=false]").waitFor();
      assert.equal(await page.getByTestId("alarm-acknowledge").count(), 0, "no Acknowledge for a viewer");
      assert.equal(await page.getByTestId("alarm-clear").count(), 0, "no Clear for a viewer");
      await screenshot(page, "alarm-show-dark");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it("the device page lists the open alarm and shades its warning and critical spans on the chart", async () => {
    const { page } = operator;
    await page.goto(`${hub.url}/#/devices/alm-hot/show`);
    await page.locator("[data-testid=device-alarms][data-count='1']").waitFor();
    await page.locator("[data-testid=device-alarm][data-severity=critical]").waitFor();
    const chart = page.locator("[data-testid=chart][data-chart-title=temperature]");
    await chart.locator("canvas").waitFor();
    await page.waitForFunction(() => {
      const root = document.querySelector("[data-testid=chart][data-chart-title=temperature]") as HTMLElement | null;
      return (JSON.parse(root?.dataset.alarmSpans ?? "[]") as unknown[]).length === 2;
    });
    const spans = JSON.parse((await chart.getAttribute("data-alarm-spans")) ?? "[]") as { from: number; to: number; severity: string }[];
    assert.deepEqual(
      spans.map((s) => [s.severity, s.from]),
      [
        ["warning", start - 10 * MINUTE],
        ["critical", start - 5 * MINUTE],
      ],
    );
    assert.equal(spans[0]?.to, start - 5 * MINUTE);
    // The critical span's strip is drawn in the critical colour along the plot's top edge.
    const critical = [0xd3, 0x2f, 0x2f];
    const strip = await chart.evaluate(
      (root, times) => {
        const element = root as HTMLElement;
        const canvas = element.querySelector("canvas") as HTMLCanvasElement;
        const over = element.querySelector(".u-over") as HTMLElement;
        const [from, to] = [Number(element.dataset.xMin), Number(element.dataset.xMax)];
        const [canvasBox, overBox] = [canvas.getBoundingClientRect(), over.getBoundingClientRect()];
        const scale = canvas.width / canvasBox.width;
        const y = Math.round((overBox.top - canvasBox.top + 2) * scale);
        return times.map((at) => {
          const x = Math.round((overBox.left - canvasBox.left + ((at - from) / (to - from)) * overBox.width) * scale);
          return [...(canvas.getContext("2d") as CanvasRenderingContext2D).getImageData(x, y, 1, 1).data].slice(0, 3);
        });
      },
      [start - 3 * MINUTE, start - 2 * MINUTE, start - 90_000],
    );
    // A grid line may cross one of the three: the others are the critical colour.
    assert.ok(
      strip.filter((pixel) => pixel.join() === critical.join()).length >= 2,
      `the strip along the plot's top is the critical colour: ${JSON.stringify(strip)}`,
    );
    const timeline = page.locator("[data-testid=chart][data-chart-title=door]");
    await timeline.locator("[data-alarm-span=critical]").waitFor();
    assert.equal(await timeline.locator("[data-alarm-span=warning]").count(), 1, "the warning span over the door's lane");
    // Hovering inside the critical span: the tooltip names the alarm's severity.
    const box = await chart.locator(".u-over").boundingBox();
    const xMin = JSON.parse((await chart.getAttribute("data-x-min")) ?? "0") as number;
    const xMax = JSON.parse((await chart.getAttribute("data-x-max")) ?? "0") as number;
    assert.ok(box, "the chart has a plotting area");
    await page.mouse.move(box.x + ((start - 2 * MINUTE - xMin) / (xMax - xMin)) * box.width, box.y + box.height / 2);
    assert.equal(await chart.getByTestId("chart-tooltip-alarm-severity").textContent(), "Critical");
    await screenshot(page, "device-page-alarms");
  });

  it("bulk acknowledge, then a clear with a comment: the alarm leaves the active list", async () => {
    const { page } = operator;
    await page.goto(`${hub.url}/#/alarms`);
    await badgeSays(page, 1);
    await page.locator(".RaDatagrid-headerCell input[type=checkbox]").check();
    await page.getByTestId("bulk-acknowledge").click();
    await page.getByTestId("alarm-comment").fill("Seen both");
    await page.getByTestId("alarm-acknowledge-confirm").click();
    await badgeSays(page, 0);
    const warmAlarm = (await alarmsOf("alm-warm"))[0];
    assert.equal(warmAlarm?.acknowledged, true);
    assert.equal(warmAlarm?.transitions.find((t) => t.kind === "acknowledged")?.comment, "Seen both");
    assert.equal((await alarmsOf("alm-hot"))[0]?.transitions.filter((t) => t.kind === "acknowledged").length, 1, "no second acknowledge");

    await page.locator(".RaDatagrid-row").filter({ hasText: "alm-warm" }).getByTestId("alarm-message").click();
    await page.getByTestId("alarm-clear").click();
    await page.getByTestId("alarm-comment").fill("Sensor was in the sun");
    await page.getByTestId("alarm-clear-confirm").click();
    await page.locator("[data-testid=alarm-status][data-status=cleared]").waitFor();
    const cleared = page.locator("[data-testid=alarm-transition][data-kind=cleared]");
    assert.equal(await cleared.getByTestId("alarm-transition-comment").textContent(), "Sensor was in the sun");
    assert.equal(await page.getByTestId("alarm-clear").count(), 0, "nothing left to clear");

    await page.goto(`${hub.url}/#/alarms`);
    await page.locator(".RaDatagrid-row").filter({ hasText: "alm-hot" }).waitFor();
    // The list shows what it cached first, then the hub's answer: the cleared alarm leaves it.
    await page.locator(".RaDatagrid-row").filter({ hasText: "alm-warm" }).waitFor({ state: "detached" });
    assert.deepEqual(operator.errors, [], "the operator's tab logged no errors");
  });

  it("on a phone the list is cards no wider than the screen", async () => {
    await withPage(
      browser,
      async (page) => {
        await logIn(page, hub.url, ADMIN_KEY, `#/alarms?filter=${encodeURIComponent("{}")}`);
        await page.getByTestId("alarm-cards").waitFor();
        await page.getByTestId("alarm-cards").getByTestId("severity-chip").nth(1).waitFor();
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 390, `the alarm list is ${width} px wide on a 390 px screen`);
        await screenshot(page, "alarm-list-phone");
      },
      { width: 390 },
    );
  });
});
