import type { HubConfigInput } from "@telehub/hub";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "./chromium.js";
import { DashboardHub } from "./dashboard-hub.js";
import { openPage } from "./pages.js";

/**
 * A real hub and headless Chromium for the accounts suites, whose tests each need pages with
 * their own cookies: `freshPage()` opens one in a new browser context; `close()` ends them all.
 */
export class AccountsBrowser {
  private readonly contexts: BrowserContext[] = [];

  private constructor(
    readonly hub: DashboardHub,
    private readonly browser: Browser,
  ) {}

  static async start(overrides: HubConfigInput = {}): Promise<AccountsBrowser> {
    const hub = await DashboardHub.start(overrides);
    try {
      return new AccountsBrowser(hub, await launchChromium());
    } catch (error) {
      await hub.close();
      throw error;
    }
  }

  /** A page in a new context: no cookie, empty storages. */
  async freshPage(): Promise<{ context: BrowserContext; page: Page }> {
    const { context, page } = await openPage(this.browser);
    this.contexts.push(context);
    return { context, page };
  }

  async close(): Promise<void> {
    for (const context of this.contexts) await context.close().catch(() => undefined);
    await this.browser.close();
    await this.hub.close();
  }
}

/** Everything the page's `localStorage` and `sessionStorage` hold, as one string. */
export function storagesOf(page: Page): Promise<string> {
  return page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }));
}

/** Open the user menu (top right) and pick an item. */
export async function openUserMenuItem(page: Page, item: string): Promise<void> {
  await page.getByRole("button", { name: "Profile" }).click();
  const entry = page.getByRole("menuitem", { name: item });
  await entry.waitFor({ state: "visible" });
  await entry.click();
}
