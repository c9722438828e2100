import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { signWebhook, verifyWebhook, type WebhookVerdict } from "../src/notifications/webhook-signature.js";
import { requireBinary } from "./support/require-binary.js";

const API_DOC = readFileSync(fileURLToPath(new URL("../../../docs/api.md", import.meta.url)), "utf8");

/** The first fenced block of `language` after the docs' marker for it. */
function docsSnippet(language: "js" | "python"): string {
  const marker = `<!-- verified by hub/test/webhook-verify.test.ts: the first ${language} block after this line -->`;
  const at = API_DOC.indexOf(marker);
  assert.ok(at >= 0, `docs/api.md has the marker ${marker}`);
  const match = new RegExp("```" + language + "\\n([\\s\\S]*?)\\n```").exec(API_DOC.slice(at));
  assert.ok(match, `a ${language} block follows the marker`);
  return match[1] as string;
}

const SECRET = "whsec-test-secret";
const NOW = 1_780_000_000;
type Headers = Record<string, string>;
interface Case {
  what: string;
  headers: Headers;
  body: string;
  now: number;
  expected: WebhookVerdict;
}

function delivery(id: string, timestamp: number, body: string, secret = SECRET): Headers {
  const ts = String(timestamp);
  return { "x-telehub-delivery": id, "x-telehub-timestamp": ts, "x-telehub-signature": signWebhook(secret, ts, id, body) };
}

/** One receiver's deliveries in order: they share the map of seen ids. */
function cases(): Case[] {
  const body = JSON.stringify({ type: "command.updated", at: 1, data: { command: { id: "c-1", state: "queued" } } });
  const fresh = delivery("d-1", NOW - 10, body);
  const { "x-telehub-signature": _dropped, ...unsigned } = fresh;
  return [
    { what: "a fresh, signed delivery", headers: fresh, body, now: NOW, expected: "ok" },
    {
      what: "the same delivery again (a replay, or a retry whose answer was lost)",
      headers: fresh,
      body,
      now: NOW + 60,
      expected: "replayed",
    },
    { what: "the body changed", headers: fresh, body: body.replace("queued", "cancelled"), now: NOW, expected: "invalid" },
    { what: "the delivery id changed", headers: { ...fresh, "x-telehub-delivery": "d-2" }, body, now: NOW, expected: "invalid" },
    {
      what: "the timestamp changed (still within the window)",
      headers: { ...fresh, "x-telehub-timestamp": String(NOW - 5) },
      body,
      now: NOW,
      expected: "invalid",
    },
    { what: "another secret", headers: delivery("d-3", NOW, body, "another-secret"), body, now: NOW, expected: "invalid" },
    { what: "no signature", headers: unsigned, body, now: NOW, expected: "invalid" },
    {
      what: "an old signature scheme (body only)",
      headers: { ...fresh, "x-telehub-signature": `sha256=${"0".repeat(64)}` },
      body,
      now: NOW,
      expected: "invalid",
    },
    {
      what: "a timestamp that is not a number",
      headers: { ...delivery("d-4", NOW, body), "x-telehub-timestamp": "soon" },
      body,
      now: NOW,
      expected: "invalid",
    },
    { what: "signed 301 s ago", headers: delivery("d-5", NOW - 301, body), body, now: NOW, expected: "stale" },
    { what: "signed 301 s ahead", headers: delivery("d-6", NOW + 301, body), body, now: NOW, expected: "stale" },
    { what: "signed 300 s ago (the edge of the window)", headers: delivery("d-7", NOW - 300, body), body, now: NOW, expected: "ok" },
    // The hub's retry: same id, new timestamp, new signature. Within the window the id is remembered.
    { what: "a retry of d-1, signed anew", headers: delivery("d-1", NOW + 100, body), body, now: NOW + 100, expected: "replayed" },
    // Long after, d-1 is forgotten; its old signed copy is stale, so forgetting it opens nothing.
    { what: "d-1's old copy, once forgotten", headers: fresh, body, now: NOW + 400, expected: "stale" },
    { what: "d-1 signed anew, once forgotten", headers: delivery("d-1", NOW + 400, body), body, now: NOW + 400, expected: "ok" },
  ];
}

describe("verifying a webhook delivery (docs/api.md's recipe)", () => {
  test("signWebhook is v1= and the HMAC-SHA256 of <timestamp>.<delivery id>.<raw body>", () => {
    const expected = createHmac("sha256", SECRET).update("1700000000.d-9.{}").digest("hex");
    assert.equal(signWebhook(SECRET, "1700000000", "d-9", "{}"), `v1=${expected}`);
  });

  test("verifyWebhook accepts a fresh delivery once, and refuses replays, old or future timestamps, and a tampered id, timestamp or body", () => {
    const seen = new Map<string, number>();
    for (const c of cases()) assert.equal(verifyWebhook(SECRET, c.headers, c.body, seen, c.now), c.expected, c.what);
  });

  test("the Node.js snippet in docs/api.md gives the same verdicts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "telehub-webhook-doc-"));
    try {
      const file = join(dir, "verify.mjs");
      writeFileSync(file, docsSnippet("js"));
      const snippet = (await import(pathToFileURL(file).href)) as { verifyWebhook: typeof verifyWebhook };
      const seen = new Map<string, number>();
      for (const c of cases()) assert.equal(snippet.verifyWebhook(SECRET, c.headers, c.body, seen, c.now), c.expected, c.what);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const python = requireBinary("python3", "apt-get install -y python3", () => spawnSync("python3", ["--version"]).status === 0);
  test("the Python snippet in docs/api.md gives the same verdicts", { skip: python }, () => {
    // Headers as a web framework gives them: looked up without regard to case.
    const driver = `
import json, sys

class Headers(dict):
    def get(self, name, default=None):
        return dict.get(self, name.lower(), default)

seen = {}
verdicts = []
for c in json.load(sys.stdin):
    verdicts.append(verify_webhook(${JSON.stringify(SECRET)}, Headers(c["headers"]), c["body"].encode(), seen, c["now"]))
print(json.dumps(verdicts))
`;
    const all = cases();
    const run = spawnSync("python3", ["-c", `${docsSnippet("python")}\n${driver}`], { input: JSON.stringify(all), encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const verdicts = JSON.parse(run.stdout) as string[];
    assert.deepEqual(
      verdicts.map((verdict, i) => `${all[i]?.what}: ${verdict}`),
      all.map((c) => `${c.what}: ${c.expected}`),
    );
  });
});
