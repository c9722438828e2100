import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { TelehubClient } from "@telehub/device-client";
import type { Browser } from "playwright-core";
import {
  chartNamed,
  connectChartDevice,
  dragAcross,
  frames,
  historyRequestFrom,
  sendReadings,
  type TimedReading,
  timeWindow,
  waitForPoints,
} from "../support/chart-probe.js";
import { launchChromium, requireChromium } from "../support/chromium.js";
import { ADMIN_KEY, DashboardHub } from "../support/dashboard-hub.js";
import { logIn, screenshot, withPage } from "../support/pages.js";

const VIEWPORT = 1_600;
const MINUTE = 60_000;
const BIG_POINTS = 100_000;

describe("a chart over 100,000 stored points in headless Chromium", { skip: requireChromium(), timeout: 110_000 }, () => {
  let hub: DashboardHub;
  let browser: Browser;
  let big: TelehubClient;
  let storeMs = 0;
  const start = Date.now() - 50 * MINUTE;

  before(async () => {
    hub = await DashboardHub.start({ storage: { sqliteSynchronous: "normal" } });
    browser = await launchChromium();
    // Sent by the real device client in batches, with their own timestamps over the last 50 minutes.
    big = await connectChartDevice(hub, "big-1");
    const spacing = (50 * MINUTE) / BIG_POINTS;
    const readings: TimedReading[] = [];
    for (let n = 0; n < BIG_POINTS; n++) {
      readings.push({ ts: Math.round(start + n * spacing), metrics: { load: 1 + Math.sin(n / 2_000) + (n % 17) / 40 } });
    }
    const stored = Date.now();
    await sendReadings(big, readings);
    storeMs = Date.now() - stored;
  });

  after(async () => {
    await big?.close({ timeoutMs: 1_000 }).catch(() => undefined);
    await browser?.close();
    await hub?.close();
  });

  it("a chart over 100,000 stored points: time to first draw and frame times while zooming (reported, not asserted)", async (t) => {
    const raw = await hub.api("GET", `/devices/big-1/telemetry?metric=load&from=${start - 1}&to=${Date.now()}&points=1`);
    assert.equal((raw.json as { data: { count: number }[] }).data[0]?.count, BIG_POINTS, "every point is stored");
    await withPage(
      browser,
      async (page) => {
        await logIn(page, hub.url, ADMIN_KEY, "#/devices");
        const opened = Date.now();
        await page.goto(`${hub.url}/#/devices/big-1/show`);
        const chart = chartNamed(page, "load");
        await waitForPoints(chart, 20);
        const firstDrawMs = Date.now() - opened;
        const points = Number(await chart.getAttribute("data-points"));
        await page.evaluate(() => {
          const w = window as unknown as { frameTimes: number[]; recording: boolean };
          w.frameTimes = [];
          w.recording = true;
          const tick = (at: number) => {
            w.frameTimes.push(at);
            if (w.recording) requestAnimationFrame(tick);
          };
          requestAnimationFrame(tick);
        });
        const whole = await timeWindow(chart);
        const span = whole.to - whole.from;
        const zoomStarted = Date.now();
        const refetched = historyRequestFrom(page, whole.from + span * 0.4, span * 0.02);
        await dragAcross(page, chart, whole.from + span * 0.4, whole.from + span * 0.6);
        await refetched;
        await frames(page, 5);
        const zoomMs = Date.now() - zoomStarted;
        const times = await page.evaluate(() => {
          const w = window as unknown as { frameTimes: number[]; recording: boolean };
          w.recording = false;
          return w.frameTimes;
        });
        const gaps = times
          .slice(1)
          .map((at, i) => at - (times[i] ?? at))
          .sort((a, b) => a - b);
        const median = gaps[Math.floor(gaps.length / 2)] ?? 0;
        const worst = gaps[gaps.length - 1] ?? 0;
        t.diagnostic(
          `100k points: stored in ${storeMs} ms; device page to first chart draw ${firstDrawMs} ms (${points} points drawn); ` +
            `zoom to drawn ${zoomMs} ms, ${gaps.length} frames, median frame ${median.toFixed(1)} ms, worst ${worst.toFixed(1)} ms`,
        );
        assert.ok(points <= 2_000 + 10, `the browser drew at most a bucket per pixel (${points})`);
        await screenshot(page, "chart-100k");
      },
      { width: VIEWPORT },
    );
  });
});
