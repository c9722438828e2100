#!/usr/bin/env node
// Installed as the `telehub-agent` command; the code is compiled to dist/ by `npm run build`.
import("../dist/src/agent/cli.js").catch((error) => {
  if (error?.code === "ERR_MODULE_NOT_FOUND") {
    console.error("telehub-agent: not built yet; run `npm run build` in the repository first");
    process.exit(1);
  }
  throw error;
});
