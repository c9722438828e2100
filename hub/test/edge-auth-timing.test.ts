import assert from "node:assert/strict";
import crypto from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { authenticateDevice } from "../src/gateway/device-authentication.js";
import { generateSecret, hashSecret } from "../src/security/secrets.js";
import type { DeviceRepository } from "../src/storage/device-repository.js";
import { META_MIGRATIONS } from "../src/storage/sqlite/meta-migrations.js";
import { openDatabase } from "../src/storage/sqlite/open-database.js";
import { SqliteDeviceRepository } from "../src/storage/sqlite/sqlite-device-repository.js";
import { deviceUpgradeRequest } from "./support/device-upgrade-request.js";
import { startHub } from "./support/hub-fixture.js";

// docs/protocol.md §1.2: an unknown device id and a wrong token are deliberately not told apart,
// by the answer (TH_AUTH_INVALID) and by the time it takes.

const dir = mkdtempSync(join(tmpdir(), "telehub-auth-timing-"));
const db = openDatabase(join(dir, "meta.db"), META_MIGRATIONS);
const devices = new SqliteDeviceRepository(db);
const NOW = 1_800_000_000_000;
const wrongToken = { deviceId: "known-device", token: generateSecret() };
const unknownDevice = { deviceId: "unknown-device", token: generateSecret() };

before(async () => {
  // A registry of realistic size, so that the lookups are not all in one page.
  for (let i = 0; i < 2_000; i++) {
    await devices.create({ id: `fleet-${i}`, name: `fleet ${i}`, tokenHash: hashSecret(generateSecret()), labels: { site: "a" }, at: NOW });
  }
  await devices.create({ id: "known-device", name: "known", tokenHash: hashSecret(generateSecret()), labels: { site: "a" }, at: NOW });
});

after(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The repository with each method call counted (the real SQLite repository does the work). */
function counted(repository: DeviceRepository): { repository: DeviceRepository; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const proxy = new Proxy(repository, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.set(String(property), (calls.get(String(property)) ?? 0) + 1);
        return value.apply(target, args);
      };
    },
  });
  return { repository: proxy, calls };
}

/** Counts `crypto.createHash` calls (every token hash) while `run` runs; the real function does the hashing. */
async function countingHashes(run: () => Promise<void>): Promise<number> {
  const original = crypto.createHash;
  let hashes = 0;
  crypto.createHash = ((...args: Parameters<typeof original>) => {
    hashes++;
    return original(...args);
  }) as typeof original;
  // The named import in secrets.ts is a live binding of the builtin module: make it see the wrapper.
  syncBuiltinESMExports();
  try {
    await run();
  } finally {
    crypto.createHash = original;
    syncBuiltinESMExports();
  }
  return hashes;
}

async function workOf(credentials: { deviceId: string; token: string }): Promise<{ calls: Record<string, number>; hashes: number }> {
  const { repository, calls } = counted(devices);
  let failure: string | undefined;
  const hashes = await countingHashes(async () => {
    const result = await authenticateDevice(repository, credentials, NOW);
    failure = "failure" in result ? result.failure : undefined;
  });
  assert.ok(failure, "the credentials are refused");
  return { calls: Object.fromEntries(calls), hashes };
}

test("an unknown device id and a wrong token take the same work: the same repository reads and the same number of hashes", async () => {
  const unknown = await workOf(unknownDevice);
  const wrong = await workOf(wrongToken);
  assert.deepEqual(unknown, wrong);
  assert.deepEqual(wrong, { calls: { tokenHashes: 1 }, hashes: 2 });
  // A rotated device whose previous token's grace has run out costs the same too.
  await devices.setTokenHash("fleet-7", hashSecret(generateSecret()), NOW - 10_000, NOW - 1);
  assert.deepEqual(await workOf({ deviceId: "fleet-7", token: generateSecret() }), wrong);
});

/** Mann-Whitney U of two samples, as a z score (normal approximation, ties averaged). */
function mannWhitneyZ(a: readonly number[], b: readonly number[]): number {
  const all = [...a.map((value) => ({ value, fromA: true })), ...b.map((value) => ({ value, fromA: false }))].sort(
    (x, y) => x.value - y.value,
  );
  let rankSumA = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j]?.value === all[i]?.value) j++;
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k]?.fromA) rankSumA += rank;
    i = j;
  }
  const n1 = a.length;
  const n2 = b.length;
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  return (u - (n1 * n2) / 2) / Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

test("statistically, an unknown device id and a wrong token take the same time over the wire (Mann-Whitney over 3,000 interleaved upgrades each)", async (t) => {
  // Failures are not throttled here: the attacker of the issue measured 3,000 of each.
  const running = await startHub({ security: { authFailuresPerMinute: 1_000_000_000, authFailuresPerAddressPerMinute: 1_000_000_000 } });
  try {
    await running.provision("known-device");
    for (let i = 0; i < 200; i++) await running.provision(`fleet-${i}`);
    const port = Number(new URL(running.url).port);
    for (let i = 0; i < 500; i++) {
      await refusalTime(port, wrongToken);
      await refusalTime(port, unknownDevice);
    }
    const tries = 3_000;
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < tries; i++) {
      // Alternating which goes first, so that neither always follows the other.
      if (i % 2 === 0) {
        wrong.push(await refusalTime(port, wrongToken));
        unknown.push(await refusalTime(port, unknownDevice));
      } else {
        unknown.push(await refusalTime(port, unknownDevice));
        wrong.push(await refusalTime(port, wrongToken));
      }
    }
    const z = mannWhitneyZ(wrong, unknown);
    const summary = `median wrong token ${median(wrong)} ns, unknown device ${median(unknown)} ns, Mann-Whitney z = ${z.toFixed(2)}`;
    t.diagnostic(summary);
    // |z| < 4: a difference this test reports has less than a 1 in 15,000 chance of being noise.
    assert.ok(Math.abs(z) < 4, `the two refusals take different times: ${summary}`);
  } finally {
    await running.dispose();
  }
});

/** Nanoseconds from sending an upgrade with these credentials (on a connection already open) to the first byte of its refusal. */
async function refusalTime(port: number, credentials: { deviceId: string; token: string }): Promise<number> {
  const socket = connect(port, "127.0.0.1");
  socket.setNoDelay(true);
  await once(socket, "connect");
  const request = deviceUpgradeRequest(credentials);
  const start = process.hrtime.bigint();
  socket.write(request);
  const [chunk] = (await once(socket, "data")) as [Buffer];
  const elapsed = Number(process.hrtime.bigint() - start);
  socket.destroy();
  assert.match(chunk.toString("latin1"), /^HTTP\/1\.1 401 [\s\S]*X-Telehub-Error: TH_AUTH_INVALID/);
  return elapsed;
}
