import { TelehubClient } from "@telehub/device-client";
import type { Locator, Page } from "playwright-core";
import type { DashboardHub } from "./dashboard-hub.js";

/** A value a device sends: a number, a boolean or a string. */
type Value = number | boolean | string;

/** One reading of a test device: its time on the device clock and its metrics. */
export interface TimedReading {
  ts: number;
  metrics: Record<string, Value>;
}

/**
 * Register `id` (with `profileId` when given) and connect it as the real Node device client
 * (`model` picks no built-in profile unless asked). Closed by the caller.
 */
export async function connectChartDevice(
  hub: DashboardHub,
  id: string,
  options: { model?: string; firmware?: string; profileId?: string } = {},
): Promise<TelehubClient> {
  const { status, json } = await hub.api("POST", "/devices", { id, name: id, ...(options.profileId && { profileId: options.profileId }) });
  if (status !== 201) throw new Error(`could not create device ${id}: ${JSON.stringify(json)}`);
  const client = new TelehubClient({
    url: hub.url,
    deviceId: id,
    token: (json as { token: string }).token,
    firmware: options.firmware ?? "e2e-charts-1.0.0",
    model: options.model ?? "e2e-no-profile",
    maxBatchReadings: 500,
    batchIntervalMs: 20,
  });
  await client.connect();
  return client;
}

/**
 * Send readings with their own (past) timestamps, `chunk` at a time, each chunk acknowledged
 * before the next (the client's offline buffer holds 10,000 readings).
 */
export async function sendReadings(client: TelehubClient, readings: readonly TimedReading[], chunk = 5_000): Promise<void> {
  for (let start = 0; start < readings.length; start += chunk) {
    for (const reading of readings.slice(start, start + chunk)) client.send(reading.metrics, reading.ts);
    await client.flush(60_000);
  }
}

/** The chart titled `title` (a time series or a state timeline). */
export function chartNamed(page: Page, title: string): Locator {
  return page.locator(`[data-testid=chart][data-chart-title="${title}"]`).first();
}

/** Resolves once the chart has drawn at least `least` time values. */
export async function waitForPoints(chart: Locator, least = 1): Promise<void> {
  await chart.locator("canvas").first().waitFor();
  await chart.evaluate(
    (root, n) =>
      new Promise<void>((resolve) => {
        const check = () => (Number((root as HTMLElement).dataset.points ?? 0) >= n ? resolve() : requestAnimationFrame(check));
        check();
      }),
    least,
  );
}

/** The chart's time window now (ms). */
export async function timeWindow(chart: Locator): Promise<{ from: number; to: number }> {
  return chart.evaluate((root) => ({ from: Number((root as HTMLElement).dataset.xMin), to: Number((root as HTMLElement).dataset.xMax) }));
}

/** The plotting area (uPlot's `.u-over`) in page pixels. */
export async function plotBox(chart: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const box = await chart.locator(".u-over").boundingBox();
  if (!box) throw new Error("the chart has no plotting area");
  return box;
}

/** The page x of time `ts` on the chart's plotting area. */
export async function xOfTime(chart: Locator, ts: number): Promise<number> {
  const [{ from, to }, box] = await Promise.all([timeWindow(chart), plotBox(chart)]);
  return box.x + ((ts - from) / (to - from)) * box.width;
}

/**
 * How many pixels of a strip of the plot (`columns` canvas pixels wide, centred on time `ts`)
 * are drawn in (nearly) the colour of series `series` (read from the canvas uPlot drew on): 0
 * where its line does not pass.
 */
export async function seriesPixelsAt(chart: Locator, ts: number, series = 0, columns = 5): Promise<number> {
  return chart.evaluate(
    (root, [at, index, strip]) => {
      const element = root as HTMLElement;
      const canvas = element.querySelector("canvas") as HTMLCanvasElement;
      const over = element.querySelector(".u-over") as HTMLElement;
      const colors = JSON.parse(element.dataset.seriesColors ?? "[]") as string[];
      const hex = (colors[index] ?? "#000000").slice(1);
      const want = [0, 2, 4].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
      const from = Number(element.dataset.xMin);
      const to = Number(element.dataset.xMax);
      const canvasBox = canvas.getBoundingClientRect();
      const overBox = over.getBoundingClientRect();
      const scale = canvas.width / canvasBox.width;
      const x = Math.round((overBox.left - canvasBox.left + ((at - from) / (to - from)) * overBox.width) * scale);
      const top = Math.round((overBox.top - canvasBox.top) * scale);
      const height = Math.round(overBox.height * scale);
      const pixels = (canvas.getContext("2d") as CanvasRenderingContext2D).getImageData(x - Math.floor(strip / 2), top, strip, height).data;
      let count = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        const close = want.every((c, k) => Math.abs((pixels[i + k] ?? 0) - c) < 60);
        if (close && (pixels[i + 3] ?? 0) > 100) count++;
      }
      return count;
    },
    [ts, series, columns] as const,
  );
}

/** Drag across the plot from time `from` to time `to` (uPlot's drag-to-zoom). */
export async function dragAcross(page: Page, chart: Locator, from: number, to: number): Promise<void> {
  const box = await plotBox(chart);
  const y = box.y + box.height / 2;
  const start = await xOfTime(chart, from);
  const end = await xOfTime(chart, to);
  await page.mouse.move(start, y);
  await page.mouse.down();
  await page.mouse.move((start + end) / 2, y, { steps: 4 });
  await page.mouse.move(end, y, { steps: 4 });
  await page.mouse.up();
}

/** WCAG 2 relative luminance of an sRGB colour (0–255 channels). */
export function luminance([r, g, b]: readonly number[]): number {
  const linear = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r ?? 0) + 0.7152 * linear(g ?? 0) + 0.0722 * linear(b ?? 0);
}

/** WCAG 2 contrast ratio of two opaque colours (1 to 21). */
export function contrastRatio(a: readonly number[], b: readonly number[]): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** `rgb(…)`, `rgba(…)` or `#rrggbb` as [r, g, b, alpha]. */
export function parseColor(css: string): [number, number, number, number] {
  const hex = /^#([0-9a-f]{6})$/i.exec(css.trim())?.[1];
  if (hex) return [0, 2, 4].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).concat(1) as [number, number, number, number];
  const parts = /rgba?\(([^)]+)\)/
    .exec(css)?.[1]
    ?.split(/[\s,/]+/)
    .filter(Boolean)
    .map(Number);
  if (!parts || parts.length < 3) throw new Error(`not a colour: ${css}`);
  return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0, parts[3] ?? 1];
}

/** `color` (with its alpha) drawn over the opaque `background`. */
export function over(color: readonly number[], background: readonly number[]): number[] {
  const alpha = color[3] ?? 1;
  return [0, 1, 2].map((i) => (color[i] ?? 0) * alpha + (background[i] ?? 0) * (1 - alpha));
}

/** Resolves after `frames` animation frames of the page (a scheduled redraw has happened). */
export function frames(page: Page, count = 3): Promise<void> {
  return page.evaluate(
    (n) =>
      new Promise<void>((resolve) => {
        let left = n;
        const step = () => (--left <= 0 ? resolve() : requestAnimationFrame(step));
        requestAnimationFrame(step);
      }),
    count,
  );
}

/** The next history request of the page for a window starting near `from`. */
export function historyRequestFrom(page: Page, from: number, tolerance: number) {
  return page.waitForResponse((response) => {
    const url = new URL(response.url());
    return url.pathname.endsWith("/telemetry") && Math.abs(Number(url.searchParams.get("from")) - from) <= tolerance;
  });
}
