import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { DesiredConfigStore, DeviceConfigRecord } from "../../src/desired-config/desired-config-store.js";
import { secretForms } from "../support/at-rest.js";
import { T } from "./contract-fixtures.js";
import { NUL_TEXT, richDocument } from "./json-documents.js";

type Document = DeviceConfigRecord["document"];

const MQTT_PASSWORD = "mqtt-pass-41d0";
const OTA_TOKEN = "ota-token-9b3c";

/** A document with two secret values (by the default `security.secretKeyPattern`), one deep in an array, beside plain ones. */
const DOCUMENT: Document = {
  sampleIntervalMs: 5_000,
  mqtt: { host: "broker.example.com", port: 8883, password: MQTT_PASSWORD },
  ota: [{ channel: "stable", token: OTA_TOKEN }],
  label: "Kessel 🔥 Süd",
  note: NUL_TEXT,
  extra: richDocument() as Document,
};

/**
 * The behaviour every `DesiredConfigStore` must have. `open` gives a fresh, empty database's store,
 * sealing secrets with the default `security.secretKeyPattern`, and `readRaw(deviceId)`: every
 * stored value of that device's row as text (for the at-rest check; no SQL in the contract).
 */
export function desiredConfigStoreContract(
  name: string,
  factory: { open(): Promise<{ store: DesiredConfigStore; readRaw(deviceId: string): Promise<string> }>; dispose(): Promise<void> },
): void {
  describe(`DesiredConfigStore contract: ${name}`, () => {
    let store: DesiredConfigStore;
    let readRaw: (deviceId: string) => Promise<string>;

    before(async () => {
      ({ store, readRaw } = await factory.open());
    });
    after(() => factory.dispose());

    test("a device without configuration has none; the first set is version 1, nothing reported yet", async () => {
      assert.equal(await store.get("boiler-1"), undefined);
      const first = await store.set("boiler-1", DOCUMENT, T, "user:ada");
      const expected: DeviceConfigRecord = {
        deviceId: "boiler-1",
        version: 1,
        document: DOCUMENT,
        updatedAt: T,
        updatedBy: "user:ada",
        reportedVersion: 0,
        reportedAt: null,
        reportedError: null,
      };
      assert.deepEqual(first, expected);
      assert.deepEqual(await store.get("boiler-1"), expected);
      assert.equal(await store.get("boiler-2"), undefined, "one device's set is not another's");
    });

    test("secret values are not readable at rest; the plain ones are", async () => {
      const raw = await readRaw("boiler-1");
      for (const secret of [MQTT_PASSWORD, OTA_TOKEN])
        for (const form of secretForms(secret)) assert.ok(!raw.includes(form), `stored as ${form}`);
      assert.ok(raw.includes("broker.example.com"), "the other values stay plain");
    });

    test("each set replaces the whole document as the next version, with its time and author", async () => {
      const second = await store.set("boiler-1", { sampleIntervalMs: 1_000 }, T + 10, null);
      assert.deepEqual(
        [second.version, second.document, second.updatedAt, second.updatedBy],
        [2, { sampleIntervalMs: 1_000 }, T + 10, null],
      );
      const third = await store.set("boiler-1", {}, T + 20, "key:k1");
      assert.deepEqual([third.version, third.document, third.updatedBy], [3, {}, "key:k1"]);
      assert.deepEqual(await store.get("boiler-1"), third);
      const other = await store.set("boiler-2", DOCUMENT, T + 30, null);
      assert.equal(other.version, 1, "versions count per device");
    });

    test("sets at once from several writers each get their own version; none is lost (also the first sets of a device)", async () => {
      for (const deviceId of ["boiler-2", "boiler-3"]) {
        const before = (await store.get(deviceId))?.version ?? 0;
        const results = await Promise.all(Array.from({ length: 6 }, (_, i) => store.set(deviceId, { writer: i }, T + 40 + i, `key:k${i}`)));
        assert.deepEqual(
          results.map((r) => r.version).sort((a, b) => a - b),
          [1, 2, 3, 4, 5, 6].map((n) => before + n),
          deviceId,
        );
        const last = (await store.get(deviceId)) as DeviceConfigRecord;
        assert.equal(last.version, before + 6);
        assert.deepEqual(
          last,
          results.find((r) => r.version === last.version),
          "the latest version holds its own document",
        );
      }
    });

    test("report: an applied version is recorded (never moving back) and clears the error; a failure records its error and keeps the version", async () => {
      let config = await store.report("boiler-1", 2, null, T + 100);
      assert.deepEqual([config?.reportedVersion, config?.reportedAt, config?.reportedError], [2, T + 100, null]);
      config = await store.report("boiler-1", 3, "unknown key: mqtt.qos — ungültig", T + 110);
      assert.deepEqual(
        [config?.reportedVersion, config?.reportedAt, config?.reportedError],
        [2, T + 110, "unknown key: mqtt.qos — ungültig"],
      );
      config = await store.report("boiler-1", 1, null, T + 120);
      assert.deepEqual(
        [config?.reportedVersion, config?.reportedAt, config?.reportedError],
        [2, T + 120, null],
        "an older version does not move it back",
      );
      config = await store.report("boiler-1", 3, null, T + 130);
      assert.deepEqual([config?.reportedVersion, config?.reportedAt, config?.reportedError], [3, T + 130, null]);
      assert.deepEqual([config?.version, config?.document, config?.updatedAt], [3, {}, T + 20], "a report leaves the desired side alone");
      assert.deepEqual(await store.get("boiler-1"), config);
      assert.equal(await store.report("boiler-nobody", 1, null, T + 140), undefined);
      assert.equal(await store.get("boiler-nobody"), undefined, "a report creates nothing");
    });

    test("a new version keeps what the device reported until it reports again", async () => {
      await store.report("boiler-1", 3, "flash full", T + 150);
      const next = await store.set("boiler-1", DOCUMENT, T + 160, null);
      assert.deepEqual(
        [next.version, next.reportedVersion, next.reportedAt, next.reportedError, next.document],
        [4, 3, T + 150, "flash full", DOCUMENT],
      );
    });

    test("delete forgets the device's configuration (a later set starts again at version 1); an unknown device is no error", async () => {
      await store.delete("boiler-1");
      assert.equal(await store.get("boiler-1"), undefined);
      assert.notEqual(await store.get("boiler-2"), undefined, "only that device's");
      await store.delete("boiler-nobody");
      const again = await store.set("boiler-1", { fresh: true }, T + 200, null);
      assert.deepEqual([again.version, again.reportedVersion, again.reportedAt, again.reportedError], [1, 0, null, null]);
    });
  });
}
