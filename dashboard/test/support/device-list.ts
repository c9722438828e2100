import type { Locator, Page } from "playwright-core";
import { UI_TIMEOUT_MS } from "./pages.js";

/** The rows' device ids in the order the list shows them. */
export async function listedIds(page: Page): Promise<string[]> {
  return page.locator("tbody tr td.column-id").allTextContents();
}

/** Wait until the list shows exactly these devices, in this order. */
export async function waitForListedIds(page: Page, expected: string[]): Promise<void> {
  await page.waitForFunction(
    (ids) =>
      JSON.stringify(Array.from(document.querySelectorAll("tbody tr td.column-id"), (cell) => cell.textContent)) === JSON.stringify(ids),
    expected,
    { timeout: UI_TIMEOUT_MS },
  );
}

/** The list's row of one device (by its id cell: "sim-1" is also in "sim-10"). */
export function rowOf(page: Page, id: string): Locator {
  return page.locator("tbody tr", { has: page.locator("td.column-id", { hasText: new RegExp(`^${id}$`) }) });
}

/** Pick a filter of the device list through "Add filter" and choose `option` in it. */
export async function addListFilter(page: Page, filter: string, option: RegExp): Promise<void> {
  await page.getByRole("button", { name: "Add filter" }).click();
  await page.getByRole("menuitemcheckbox", { name: filter }).click();
  await page.getByRole("combobox", { name: filter }).click();
  await page.getByRole("option", { name: option }).click();
}
