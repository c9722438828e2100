#!/usr/bin/env -S node --max-semi-space-size=2
// Installed as the `telehub-hub` command; the code is compiled to dist/ by `npm run build`.
// The shebang passes the hub's Node.js flags (hub/src/process/node-flags.ts).
import("../dist/src/server.js").catch((error) => {
  if (error?.code === "ERR_MODULE_NOT_FOUND") {
    console.error("telehub-hub: not built yet; run `npm run build` in the repository first");
    process.exit(1);
  }
  throw error;
});
