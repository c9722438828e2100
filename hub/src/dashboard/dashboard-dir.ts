import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder of the built dashboard: `configured` when set, else the `@telehub/dashboard`
 * package's `dist/app` (found through module resolution, then beside the hub in this
 * repository's layout). May not exist yet: `npm run build` makes it.
 */
export function dashboardDir(configured: string): string {
  if (configured) return resolve(configured);
  try {
    const manifest = createRequire(import.meta.url).resolve("@telehub/dashboard/package.json");
    return join(dirname(manifest), "dist", "app");
  } catch {
    // hub/dist/src/dashboard → the repository root.
    return fileURLToPath(new URL("../../../../dashboard/dist/app", import.meta.url));
  }
}

/** Is there a built dashboard in `dir`? */
export function isBuilt(dir: string): boolean {
  return existsSync(join(dir, "index.html"));
}
