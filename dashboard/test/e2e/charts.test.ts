import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { TelehubClient } from "@telehub/device-client";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import {
  chartNamed,
  connectChartDevice,
  contrastRatio,
  dragAcross,
  frames,
  historyRequestFrom,
  over,
  parseColor,
  plotBox,
  sendReadings,
  seriesPixelsAt,
  type TimedReading,
  timeWindow,
  waitForPoints,
  xOfTime,
} from "../support/chart-probe.js";
import { launchChromium, requireChromium } from "../support/chromium.js";
import { ADMIN_KEY, DashboardHub } from "../support/dashboard-hub.js";
import { logIn, openPage, screenshot } from "../support/pages.js";

// Wide enough that a device page chart (two a row) gets about 600 px: 1 h in ~6 s buckets.
const VIEWPORT = 1_600;
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const DISK_FREE = 23_972_343_040;

/** A profile with a unit for every kind of chart (docs/api.md, "Profiles"). */
const PROFILE = {
  id: "e2e-charts",
  name: "Chart test device",
  metrics: [
    { name: "temperature", type: "number", kind: "gauge", displayName: "Temperature", unit: "°C", decimals: 1 },
    { name: "setpoint", type: "number", kind: "gauge", displayName: "Set-point", unit: "°C", decimals: 1 },
    { name: "disk_free", type: "number", kind: "gauge", displayName: "Disk free", unit: "B" },
    { name: "rx_bytes", type: "number", kind: "counter", displayName: "Received", unit: "B" },
    { name: "heater_on", type: "boolean", kind: "state", displayName: "Heater" },
    { name: "mode", type: "string", kind: "state", displayName: "Mode", states: ["idle", "heat", "fault"] },
  ],
  commands: [],
  layout: {
    charts: [
      { title: "Temperature", metrics: ["temperature", "setpoint"] },
      { title: "Disk free", metrics: ["disk_free"] },
      { title: "Received", metrics: ["rx_bytes"] },
      { title: "Heater", metrics: ["heater_on", "mode"] },
    ],
  },
};

/** The background the chart is drawn on: the first ancestor with an opaque background colour. */
async function backgroundOf(chart: Locator): Promise<number[]> {
  const css = await chart.evaluate((root) => {
    for (let element: Element | null = root; element; element = element.parentElement) {
      const color = getComputedStyle(element).backgroundColor;
      if (color && color !== "transparent" && !/rgba\([^)]*,\s*0\)$/.test(color)) return color;
    }
    return getComputedStyle(document.body).backgroundColor;
  });
  return parseColor(css).slice(0, 3);
}

describe("charts (uPlot) in headless Chromium against a real hub and devices", { skip: requireChromium(), timeout: 240_000 }, () => {
  let hub: DashboardHub;
  let browser: Browser;
  // One logged-in tab for the whole file (a login per test would double its time); each test
  // opens its device page afresh and checks the console stayed clean.
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  const clients: TelehubClient[] = [];
  const now = Date.now();
  const holeFrom = now - 5 * MINUTE;
  const holeTo = holeFrom + 40 * SECOND;

  before(async () => {
    hub = await DashboardHub.start({ storage: { sqliteSynchronous: "normal" } });
    browser = await launchChromium();
    // A device without a profile (charts titled by metric) that stopped sending for 40 s.
    const gap = await connectChartDevice(hub, "gap-1");
    clients.push(gap);
    const gapReadings: TimedReading[] = [];
    for (let ts = now - 10 * MINUTE; ts < now - MINUTE; ts += SECOND) {
      if (ts >= holeFrom && ts < holeTo) continue;
      gapReadings.push({ ts, metrics: { temperature: 20 + 2 * Math.sin(ts / 120_000) } });
    }
    await sendReadings(gap, gapReadings);
    // A device with the test profile: units, several metrics on a chart, a counter, states.
    const created = await hub.api("POST", "/profiles", PROFILE);
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const profiled = await connectChartDevice(hub, "chart-1", { profileId: PROFILE.id, model: "e2e-charts" });
    clients.push(profiled);
    const readings: TimedReading[] = [];
    let received = 0;
    for (let ts = now - 20 * MINUTE, n = 0; ts < now; ts += 2 * SECOND, n++) {
      // The counter restarts 10 minutes ago (a reboot): a reset, not a negative rate.
      received = ts >= now - 10 * MINUTE && ts < now - 10 * MINUTE + 2 * SECOND ? 500 : received + 2_000;
      readings.push({
        ts,
        metrics: {
          temperature: 21 + Math.sin(n / 30),
          setpoint: 21.5,
          disk_free: DISK_FREE - (n % 7) * 20 * 1024 ** 2,
          rx_bytes: received,
          heater_on: Math.floor(n / 60) % 2 === 0,
          mode: Math.floor(n / 60) % 2 === 0 ? "heat" : "idle",
        },
      });
    }
    await sendReadings(profiled, readings);
    ({ context, page, errors } = await openPage(browser, VIEWPORT));
    // The browser's zone is Tokyo (UTC+9, no daylight saving), so "Browser" and "UTC" differ.
    await (await context.newCDPSession(page)).send("Emulation.setTimezoneOverride", { timezoneId: "Asia/Tokyo" });
    await logIn(page, hub.url, ADMIN_KEY);
  });

  /** The device's page, mounted afresh (through the list, so the charts start over). */
  async function openDevice(id: string): Promise<void> {
    await page.goto(`${hub.url}/#/devices`);
    await page.goto(`${hub.url}/#/devices/${id}/show`);
  }

  after(async () => {
    await Promise.all(clients.map((client) => client.close({ timeoutMs: 1_000 }).catch(() => undefined)));
    await context?.close();
    await browser?.close();
    await hub?.close();
  });

  it("a chart shows a gap where the data stopped (40 s without readings), not a line across it", async (t) => {
    await openDevice("gap-1");
    const chart = chartNamed(page, "temperature");
    await waitForPoints(chart, 20);
    assert.ok(Number(await chart.getAttribute("data-gaps")) >= 1, "the drawn data breaks the line");
    await screenshot(page, "chart-gap");
    // Zoomed in around the hole (finer buckets), the canvas itself shows it.
    const refetched = historyRequestFrom(page, holeFrom - MINUTE, 10 * SECOND);
    await dragAcross(page, chart, holeFrom - MINUTE, holeTo + MINUTE);
    await refetched;
    await frames(page);
    const { from, to } = await timeWindow(chart);
    assert.ok(to - from < 4 * MINUTE, `zoomed to ${Math.round((to - from) / SECOND)} s`);
    const inHole = await seriesPixelsAt(chart, (holeFrom + holeTo) / 2);
    const before = await seriesPixelsAt(chart, holeFrom - 30 * SECOND);
    const afterHole = await seriesPixelsAt(chart, holeTo + 30 * SECOND);
    t.diagnostic(`line pixels: 30 s before the hole ${before}, in it ${inHole}, 30 s after ${afterHole}`);
    assert.ok(before > 0 && afterHole > 0, "the line is drawn on both sides");
    assert.equal(inHole, 0, "nothing is drawn across the 40 s without data");
    assert.deepEqual(errors.splice(0), [], "the page logged errors");
  });

  it("dragging across a chart zooms in (and fetches that span again); Reset zoom brings the range back", async () => {
    await openDevice("gap-1");
    const chart = chartNamed(page, "temperature");
    await waitForPoints(chart, 20);
    const whole = await timeWindow(chart);
    const span = whole.to - whole.from;
    // The last ten minutes hold the data (the last minute none).
    const from = whole.from + span * 0.84;
    const to = whole.from + span * 0.96;
    const refetched = historyRequestFrom(page, from, span * 0.02);
    await dragAcross(page, chart, from, to);
    const zoomed = await timeWindow(chart);
    assert.ok(Math.abs(zoomed.from - from) < span * 0.02 && Math.abs(zoomed.to - to) < span * 0.02, JSON.stringify({ zoomed, from, to }));
    assert.equal(await chart.getAttribute("data-zoomed"), "true");
    const answer = (await (await refetched).json()) as { bucketMs: number };
    assert.ok(answer.bucketMs < span / 1_000, `the zoomed span came back in finer buckets (${answer.bucketMs} ms)`);
    await screenshot(page, "chart-zoomed");
    await chart.getByRole("button", { name: "Reset zoom" }).click();
    await frames(page);
    const reset = await timeWindow(chart);
    assert.ok(Math.abs(reset.to - reset.from - span) < span * 0.01, `back to the whole range: ${JSON.stringify(reset)}`);
    assert.equal(await chart.getByRole("button", { name: "Reset zoom" }).count(), 0);
    assert.deepEqual(errors.splice(0), [], "the page logged errors");
  });

  it("the tooltip shows the time and each series' value with its unit (two metrics on one chart)", async () => {
    await openDevice("chart-1");
    const chart = chartNamed(page, "Temperature");
    await waitForPoints(chart, 20);
    const box = await plotBox(chart);
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2);
    const tooltip = chart.getByTestId("chart-tooltip");
    await tooltip.waitFor();
    const text = (await tooltip.textContent()) ?? "";
    assert.match(text, /\d{2}:\d{2}:\d{2}/, `the time: ${text}`);
    assert.match(text, /Temperature: \d+(\.\d)? °C/, text);
    assert.match(text, /Set-point: 21\.5 °C/, text);
    const labels = JSON.parse((await chart.getAttribute("data-y-labels")) ?? "[]") as string[];
    assert.ok(labels.length > 1 && labels.every((label) => label.endsWith(" °C")), `the axis has units: ${labels.join(", ")}`);
    await screenshot(page, "chart-light");
    assert.deepEqual(errors.splice(0), [], "the page logged errors");
  });

  it("a boolean and an enum are a state timeline: spans per state, a legend, a tooltip with state and span", async () => {
    await openDevice("chart-1");
    const chart = page.locator('[data-testid=chart][data-chart-kind=state][data-chart-title="Heater"]');
    await chart.locator("rect[data-state=true]").first().waitFor();
    const heater = chart.locator("[data-lane=heater_on]");
    const on = await heater.locator("rect[data-state=true]").count();
    const off = await heater.locator("rect[data-state=false]").count();
    // 20 minutes switching every 2 minutes: about five spans each, merged (not one per reading).
    assert.ok(on >= 4 && on <= 6 && off >= 4 && off <= 6, `spans: ${on} on, ${off} off`);
    assert.ok((await chart.locator("[data-lane=mode] rect[data-state=heat]").count()) >= 4);
    const legend = (await chart.getByTestId("state-legend").textContent()) ?? "";
    for (const state of ["true", "false", "idle", "heat", "fault"]) assert.ok(legend.includes(state), `legend: ${legend}`);
    const span = heater.locator("rect[data-state=true]").nth(1);
    const box = await span.boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const tooltip = chart.getByTestId("chart-tooltip");
    await tooltip.waitFor();
    const text = (await tooltip.textContent()) ?? "";
    assert.match(text, /Heater: true/, text);
    assert.match(text, /\d{2}:\d{2}:\d{2} – .*\d{2}:\d{2}:\d{2} \(2 min\)/, text);
    await screenshot(page, "chart-state-timeline");
    assert.deepEqual(errors.splice(0), [], "the page logged errors");
  });

  it("y-axis labels are never clipped: 23,972,343,040 B reads 22.3 GiB and the axis is as wide as its labels", async (t) => {
    await openDevice("chart-1");
    const chart = chartNamed(page, "Disk free");
    await waitForPoints(chart, 20);
    const labels = JSON.parse((await chart.getAttribute("data-y-labels")) ?? "[]") as string[];
    assert.ok(labels.length > 1 && labels.every((label) => / GiB$/.test(label)), labels.join(", "));
    const measured = await chart.evaluate((root, texts) => {
      const canvas = root.querySelector("canvas") as HTMLCanvasElement;
      const overBox = (root.querySelector(".u-over") as HTMLElement).getBoundingClientRect();
      const canvasBox = canvas.getBoundingClientRect();
      const context = canvas.getContext("2d") as CanvasRenderingContext2D;
      const measuring = document.createElement("canvas").getContext("2d") as CanvasRenderingContext2D;
      measuring.font = (root as HTMLElement).dataset.axisFont ?? "";
      const widest = Math.max(...texts.map((text) => measuring.measureText(text).width));
      // Ink in the axis' leftmost two pixel columns would be a label running off the canvas.
      const scale = canvas.width / canvasBox.width;
      const axisWidth = Math.round((overBox.left - canvasBox.left) * scale);
      const top = Math.round((overBox.top - canvasBox.top) * scale);
      const height = Math.round(overBox.height * scale);
      const ink = (x: number, width: number) => {
        const data = context.getImageData(x, top, width, height).data;
        let count = 0;
        for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) count++;
        return count;
      };
      return { widest, axis: overBox.left - canvasBox.left, edgeInk: ink(0, 2), labelInk: ink(0, axisWidth) };
    }, labels);
    t.diagnostic(`y axis ${measured.axis} px for labels up to ${measured.widest.toFixed(1)} px (${labels.join(", ")})`);
    assert.ok(measured.axis >= measured.widest + 10, `the axis (${measured.axis} px) holds its widest label (${measured.widest} px)`);
    assert.ok(measured.labelInk > 50, "labels are drawn");
    assert.equal(measured.edgeInk, 0, "no label touches the canvas' left edge");
    const box = await plotBox(chart);
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2);
    assert.match((await chart.getByTestId("chart-tooltip").textContent()) ?? "", /Disk free: 22\.[23] GiB/);
    assert.deepEqual(errors.splice(0), [], "the page logged errors");
  });

  it("a counter is charted as a rate per second; its reset is a gap, not a negative spike", async () => {
    await openDevice("chart-1");
    const chart = chartNamed(page, "Received");
    await waitForPoints(chart, 20);
    const labels = JSON.parse((await chart.getAttribute("data-y-labels")) ?? "[]") as string[];
    assert.ok(labels.length > 0 && labels.every((label) => /B\/s$/.test(label)), labels.join(", "));
    assert.ok(!labels.some((label) => label.startsWith("-")), `no negative rate: ${labels.join(", ")}`);
    assert.ok(Number(await chart.getAttribute("data-gaps")) >= 1, "the reset breaks the line");
    // At the newest reading too (where a half-filled bucket would make the rate dip): 2,000 B every 2 s.
    const box = await plotBox(chart);
    await page.mouse.move(await xOfTime(chart, now - SECOND), box.y + box.height / 2);
    assert.match((await chart.getByTestId("chart-tooltip").textContent()) ?? "", /1,000 B\/s/);
    assert.deepEqual(errors.splice(0), [], "the page logged errors");
  });

  it("live readings reach the chart through the same uPlot instance, drawn at most once per animation frame", async (t) => {
    const live = await connectChartDevice(hub, "live-1");
    clients.push(live);
    live.send({ temperature: 20 }, Date.now() - 10 * SECOND);
    await live.flush();
    // 50 readings a second, each its own live update: more updates than frames are possible.
    let value = 20;
    const timer = setInterval(() => {
      value += 0.01;
      live.send({ temperature: value });
    }, 20);
    try {
      await openDevice("live-1");
      await page.mouse.move(0, 0);
      const chart = chartNamed(page, "temperature");
      await waitForPoints(chart, 1);
      const measured = await chart.evaluate(
        (root) =>
          new Promise<{ frames: number; draws: number; points: number; builds: string | undefined; buildsBefore: string | undefined }>(
            (resolve) => {
              const element = root as HTMLElement;
              const buildsBefore = element.dataset.builds;
              const draws = Number(element.dataset.draws);
              const points = Number(element.dataset.points);
              const started = performance.now();
              let frames = 0;
              const tick = () => {
                frames++;
                if (performance.now() - started < 3_000) requestAnimationFrame(tick);
                else
                  resolve({
                    frames,
                    draws: Number(element.dataset.draws) - draws,
                    points: Number(element.dataset.points) - points,
                    builds: element.dataset.builds,
                    buildsBefore,
                  });
              };
              requestAnimationFrame(tick);
            },
          ),
      );
      t.diagnostic(`live: ${measured.points} new points in 3 s, ${measured.draws} draws in ${measured.frames} frames`);
      assert.ok(measured.points > 10, `live points were appended (${measured.points})`);
      assert.equal(measured.builds, measured.buildsBefore, "the chart was not rebuilt for new data");
      assert.ok(measured.draws <= measured.frames + 1, `${measured.draws} draws in ${measured.frames} frames`);
    } finally {
      clearInterval(timer);
    }
    assert.deepEqual(errors.splice(0), [], "the page logged errors");
  });

  it("the time axis and tooltip follow the page's time zone: the browser's (Tokyo here) or UTC", async () => {
    await openDevice("gap-1");
    const chart = chartNamed(page, "temperature");
    await waitForPoints(chart, 20);
    const minutesOf = (labels: string[]) =>
      labels.map((label) => {
        const [hours, minutes] = (label.split("\n")[0] ?? "").split(":").map(Number);
        return (hours ?? 0) * 60 + (minutes ?? 0);
      });
    const local = JSON.parse((await chart.getAttribute("data-x-labels")) ?? "[]") as string[];
    await page.getByRole("button", { name: "UTC", exact: true }).click();
    await page.waitForFunction(
      (before) => document.querySelector('[data-testid=chart][data-chart-title="temperature"]')?.getAttribute("data-x-labels") !== before,
      JSON.stringify(local),
    );
    const utc = JSON.parse((await chart.getAttribute("data-x-labels")) ?? "[]") as string[];
    const shifted = new Set(minutesOf(local).map((m) => (m - 9 * 60 + 24 * 60) % (24 * 60)));
    const same = minutesOf(utc).filter((m) => shifted.has(m));
    assert.ok(utc.length > 2 && same.length >= utc.length - 1, `Tokyo ${local.join(" ")} vs UTC ${utc.join(" ")}`);
    const box = await plotBox(chart);
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2);
    assert.match((await chart.getByTestId("chart-tooltip-time").textContent()) ?? "", / UTC$/);
    await page.getByRole("button", { name: "Browser", exact: true }).click();
    assert.deepEqual(errors.splice(0), [], "the page logged errors");
  });

  it("dark mode: axis labels keep at least 4.5:1 contrast, from the chart's colours and from the pixels drawn", async (t) => {
    await openDevice("chart-1");
    const chart = chartNamed(page, "Temperature");
    await waitForPoints(chart, 20);
    const lightAxis = await chart.getAttribute("data-axis-color");
    await page.getByRole("button", { name: "Toggle light/dark mode" }).first().click();
    await page.waitForFunction((before) => {
      const root = document.querySelector('[data-testid=chart][data-chart-title="Temperature"]');
      return root?.getAttribute("data-axis-color") !== before;
    }, lightAxis);
    await waitForPoints(chart, 20);
    await frames(page);
    const background = await backgroundOf(chart);
    const axis = over(parseColor((await chart.getAttribute("data-axis-color")) ?? ""), background);
    const given = contrastRatio(axis, background);
    // What was drawn: the strongest label pixel left of the plot, over the background.
    const drawn = await chart.evaluate((root, bg) => {
      const canvas = root.querySelector("canvas") as HTMLCanvasElement;
      const overBox = (root.querySelector(".u-over") as HTMLElement).getBoundingClientRect();
      const canvasBox = canvas.getBoundingClientRect();
      const scale = canvas.width / canvasBox.width;
      const width = Math.round((overBox.left - canvasBox.left) * scale);
      const data = (canvas.getContext("2d") as CanvasRenderingContext2D).getImageData(0, 0, width, canvas.height).data;
      const lum = (c: number[]) => {
        const f = (v: number) => {
          const s = v / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * f(c[0] ?? 0) + 0.7152 * f(c[1] ?? 0) + 0.0722 * f(c[2] ?? 0);
      };
      const bgLum = lum(bg);
      let best = 1;
      for (let i = 0; i < data.length; i += 4) {
        const a = (data[i + 3] ?? 0) / 255;
        if (a === 0) continue;
        const pixel = [0, 1, 2].map((k) => (data[i + k] ?? 0) * a + (bg[k] ?? 0) * (1 - a));
        const l = lum(pixel);
        best = Math.max(best, (Math.max(l, bgLum) + 0.05) / (Math.min(l, bgLum) + 0.05));
      }
      return best;
    }, background);
    t.diagnostic(
      `dark mode: axis colour ${given.toFixed(2)}:1, strongest drawn label pixel ${drawn.toFixed(2)}:1 on rgb(${background.join(",")})`,
    );
    assert.ok(given >= 4.5, `axis labels ${given.toFixed(2)}:1`);
    assert.ok(drawn >= 4.5, `drawn labels ${drawn.toFixed(2)}:1`);
    await screenshot(page, "chart-dark");
    assert.deepEqual(errors.splice(0), [], "the page logged errors");
  });
});
