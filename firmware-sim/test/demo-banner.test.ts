import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { demoBanner } from "../src/demo-banner.js";

const root = new URL("../../../", import.meta.url);
const facts = {
  url: "http://127.0.0.1:8080",
  listening: "http://127.0.0.1:8080 (this machine only)",
  allInterfaces: false,
  adminKey: "thk_0123456789abcdef_secret",
  adminPassword: "correct-horse-battery",
  devices: 5,
  intervalMs: 1_000,
  dataDir: "./data",
};

describe("the npm start banner", () => {
  it("says where the dashboard is, how to log in, and sets HUB and KEY for the commands it shows", () => {
    const banner = demoBanner(facts);
    assert.match(
      banner,
      /dashboard: http:\/\/127\.0\.0\.1:8080\/ {2}\(log in as admin with the password below, or with the admin API key\)/,
    );
    assert.match(banner, /admin password: correct-horse-battery\n/);
    assert.match(banner, /admin API key: thk_0123456789abcdef_secret/);
    assert.match(banner, /export HUB=http:\/\/127\.0\.0\.1:8080 KEY=thk_0123456789abcdef_secret\n/);
    assert.match(banner, /"name":"set_setpoint".*\$HUB\/api\/v1\/devices\/demo-1\/commands/);
    assert.match(banner, /-d '\{"id":"greenhouse-1".*\$HUB\/api\/v1\/devices\n/);
  });

  it("points to the Node example, the simulator and the ESP32 and Pi guides, and every file it names exists", () => {
    const banner = demoBanner(facts);
    const named = [...banner.matchAll(/\b((?:docs\/)?[\w-]+\.md)\b/g)].map((m) => m[1] as string);
    for (const doc of ["docs/node-client.md", "docs/esp32.md", "docs/raspberry-pi.md", "docs/simulator.md", "README.md"]) {
      assert.ok(named.includes(doc), `names ${doc}`);
    }
    for (const doc of named) assert.ok(existsSync(new URL(doc, root)), `${doc} exists`);
  });

  it("says where the hub listens: this machine only (and how to open it), or all interfaces", () => {
    const local = demoBanner(facts);
    assert.match(local, /\n {2}listening on http:\/\/127\.0\.0\.1:8080 \(this machine only\)\n/);
    assert.match(local, /TELEHUB_HOST=0\.0\.0\.0 npm start/);
    const open = demoBanner({
      ...facts,
      listening: "http://0.0.0.0:8080 (all interfaces; from this machine: http://127.0.0.1:8080)",
      allInterfaces: true,
    });
    assert.match(open, /listening on http:\/\/0\.0\.0\.0:8080 \(all interfaces; from this machine: http:\/\/127\.0\.0\.1:8080\)\n/);
    assert.match(open, /reachable from other machines/);
    assert.match(open, /export HUB=http:\/\/127\.0\.0\.1:8080 /, "the commands use the URL that works from this machine");
  });

  it("a key made before this start is not known: the banner says so and the export line has a placeholder", () => {
    const banner = demoBanner({ ...facts, adminKey: undefined });
    assert.match(banner, /admin API key: \(an admin key already existed/);
    assert.match(banner, /KEY=<your admin key>/);
  });

  it("a password set before this start is not known either: the banner says where it came from", () => {
    const banner = demoBanner({ ...facts, adminPassword: undefined });
    assert.match(banner, /admin password: \(the admin user already existed/);
    assert.doesNotMatch(banner, /correct-horse-battery/);
  });
});
