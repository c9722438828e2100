import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { TelehubClient } from "@telehub/device-client";
import type { DeviceProfile } from "@telehub/hub";
import type { Browser, Page } from "playwright-core";
import { launchChromium, requireChromium } from "../support/chromium.js";
import { ADMIN_KEY, DashboardHub } from "../support/dashboard-hub.js";
import { logIn, screenshot, UI_TIMEOUT_MS, withPage } from "../support/pages.js";

/** The hub's `api.maxExportRows` here: the export device has more values than that. */
const EXPORT_CAP = 100;

/** `time,metric,value` rows of a CSV export (RFC 4180 quoting), header and `#` lines left out. */
function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === "" || line.startsWith("#")) continue;
    const cells: string[] = [];
    let cell = "";
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const char = line[i];
      if (quoted && char === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = !quoted;
      else if (char === "," && !quoted) {
        cells.push(cell);
        cell = "";
      } else cell += char;
    }
    cells.push(cell);
    rows.push(cells);
  }
  return rows;
}

describe("the device page's export, time zone, phone and dark views in headless Chromium", {
  skip: requireChromium(),
  timeout: 110_000,
}, () => {
  let hub: DashboardHub;
  let browser: Browser;
  let exporter: TelehubClient;
  let agent: TelehubClient;
  /** Timestamp of the export device's newest reading. */
  let exportLastTs = 0;

  before(async () => {
    hub = await DashboardHub.start({ api: { maxExportRows: EXPORT_CAP } });
    browser = await launchChromium();
    // A device with fixed readings in the past (no profile): the export and time zone tests read it.
    exporter = new TelehubClient({
      url: hub.url,
      deviceId: "exp-1",
      token: await hub.createDevice("exp-1", "Export"),
      model: "export-test",
      batchIntervalMs: 20,
    });
    await exporter.connect();
    const start = Date.now() - 20 * 60_000;
    for (let i = 0; i < 40; i++) {
      exportLastTs = start + i * 15_000;
      exporter.send({ temperature: 20 + i / 4, mode: i % 3 === 0 ? 'eco, "night"' : "auto", heating: i % 2 === 0 }, exportLastTs);
    }
    // The Pi agent's page (the most charts, the longest names) for the phone and dark views: one round of every metric.
    const profile = (await hub.api("GET", "/profiles/pi-agent")).json as DeviceProfile;
    agent = new TelehubClient({
      url: hub.url,
      deviceId: "pi-1",
      token: await hub.createDevice("pi-1", "Kitchen Pi"),
      firmware: "telehub-agent 0.1.0",
    });
    await agent.connect();
    agent.send(Object.fromEntries(profile.metrics.map((metric) => [metric.name, metric.unit === "B" ? 23_972_343_040 : 42.5])));
    for (;;) {
      const raw = await hub.api("GET", "/devices/exp-1/telemetry/raw");
      if ((raw.json as { data: unknown[] }).data.length === 120) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  after(async () => {
    await exporter?.close({ timeoutMs: 1_000 }).catch(() => undefined);
    await agent?.close({ timeoutMs: 1_000 }).catch(() => undefined);
    await browser?.close();
    await hub?.close();
  });

  /** Click an export choice on the page; answers the request's query and the saved file's text. */
  async function exportFrom(page: Page, choice: string): Promise<{ query: URLSearchParams; filename: string; text: string }> {
    const asked = page.waitForRequest((request) => request.url().includes("/telemetry/export"));
    const saved = page.waitForEvent("download");
    await page.getByTestId("export-menu").click();
    await page.getByTestId(choice).click();
    const query = new URL((await asked).url()).searchParams;
    const download = await saved;
    return { query, filename: download.suggestedFilename(), text: readFileSync((await download.path()) ?? "", "utf8") };
  }

  /** The raw points of the export's window (and metrics) as CSV rows. */
  async function rawRows(query: URLSearchParams): Promise<string[][]> {
    const metrics = query.getAll("metric");
    const rows: string[][] = [];
    for (const metric of metrics.length > 0 ? metrics : [undefined]) {
      const only = metric === undefined ? "" : `&metric=${metric}`;
      const raw = await hub.api("GET", `/devices/exp-1/telemetry/raw?from=${query.get("from")}&to=${query.get("to")}${only}`);
      const points = (raw.json as { data: { ts: number; metric: string; value: unknown }[] }).data;
      rows.push(...points.map((point) => [new Date(point.ts).toISOString(), point.metric, String(point.value)]));
    }
    return rows.sort((a, b) => a[0]!.localeCompare(b[0]!) || a[1]!.localeCompare(b[1]!));
  }

  it("Export CSV saves the range's raw points as GET /telemetry/raw answers them; past the row cap it says so", async () => {
    await withPage(browser, async (page) => {
      await logIn(page, hub.url, ADMIN_KEY, "#/devices/exp-1/show");
      await page.locator("[data-testid=device-chart]").first().waitFor();
      // Hide one of the three charts: "metrics of the shown charts" then asks for two metrics, 80 values (under the cap of 100).
      await page.getByTestId("charts-menu").click();
      await page.locator("[data-testid=chart-choice][data-chart-title=heating]").click();
      await page.keyboard.press("Escape");
      await page.locator("[data-testid=device-chart][data-chart-title=heating]").waitFor({ state: "detached" });
      const shown = await exportFrom(page, "export-csv-shown");
      assert.equal(shown.query.get("format"), "csv");
      assert.deepEqual(shown.query.getAll("metric").sort(), ["mode", "temperature"]);
      assert.match(shown.filename, /^exp-1-\d+-\d+\.csv$/);
      const [header, ...rows] = csvRows(shown.text);
      assert.deepEqual(header, ["time", "metric", "value"]);
      const expected = await rawRows(shown.query);
      assert.equal(expected.length, 80);
      assert.deepEqual(rows, expected, "the CSV rows are the raw points, oldest first");
      assert.equal(await page.getByTestId("export-truncated").count(), 0, "not truncated");
      // Every metric: 120 values, more than the cap. The file ends with the marker and the page says why.
      const all = await exportFrom(page, "export-csv");
      assert.deepEqual(all.query.getAll("metric"), [], "every metric");
      const [, ...capped] = csvRows(all.text);
      assert.deepEqual(capped, (await rawRows(all.query)).slice(0, EXPORT_CAP), "the first 100 raw points");
      assert.match(all.text, /\n# truncated: more than 100 rows; narrow the range\n?$/);
      await page.getByTestId("export-truncated").filter({ hasText: "first 100 values" }).waitFor();
      await screenshot(page, "device-page-export-truncated");
    });
  });

  it("the time zone toggle shows the page's times in UTC and back in the browser's zone, and is remembered", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: "Asia/Tokyo" });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    try {
      const page = await context.newPage();
      await logIn(page, hub.url, ADMIN_KEY, "#/devices/exp-1/show");
      const time = page.getByTestId("latest-time");
      const utc = new Date(exportLastTs).toISOString().slice(11, 19);
      const tokyo = new Date(exportLastTs + 9 * 3_600_000).toISOString().slice(11, 19);
      await page.getByTestId("time-zone").filter({ hasText: "Browser" }).click();
      await time.filter({ hasText: tokyo }).waitFor();
      assert.doesNotMatch((await time.textContent()) ?? "", /UTC/);
      await page.getByTestId("time-zone").filter({ hasText: "UTC" }).click();
      await time
        .filter({ hasText: `${utc}` })
        .filter({ hasText: "UTC" })
        .waitFor();
      await page.reload();
      await time
        .filter({ hasText: `${utc}` })
        .filter({ hasText: "UTC" })
        .waitFor();
      await page.getByTestId("time-zone").filter({ hasText: "Browser" }).click();
      await time.filter({ hasText: tokyo }).waitFor();
    } finally {
      await context.close();
    }
  });

  it("fits a 390 px phone without horizontal overflow, and reads in dark mode", async () => {
    await withPage(
      browser,
      async (page) => {
        await logIn(page, hub.url, ADMIN_KEY, "#/devices/pi-1/show");
        await page.locator("[data-testid=device-chart]").first().waitFor();
        await page.getByTestId("command-name").waitFor();
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 390, `the page is ${width} px wide`);
        await screenshot(page, "device-page-mobile");
      },
      { width: 390 },
    );
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "dark" });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    try {
      const page = await context.newPage();
      await logIn(page, hub.url, ADMIN_KEY, "#/devices/pi-1/show");
      await page.locator("[data-testid=device-chart]").first().waitFor();
      await screenshot(page, "device-page-dark");
    } finally {
      await context.close();
    }
  });
});
