import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { DeviceProfile, ProfileDefinition } from "../../src/profiles/profile.js";
import type { DeviceRepository } from "../../src/storage/device-repository.js";
import {
  DuplicateProfileError,
  ProfileInUseError,
  type ProfileRepository,
  ProfileVersionConflictError,
  UnknownProfileError,
} from "../../src/storage/profile-repository.js";
import { secretForms } from "../support/at-rest.js";
import { settle, T } from "./contract-fixtures.js";
import { NUL_TEXT, richDocument } from "./json-documents.js";

const WIFI_PASSWORD = "wifi-pass-6d2e";

/** A profile with every optional part, a secret in its default configuration (by the default `security.secretKeyPattern`). */
function fullDefinition(id: string): ProfileDefinition {
  return {
    id,
    name: "Kessel — Heizung 🔥",
    description: `Gas boilers of the north site. ${NUL_TEXT}`,
    match: { models: ["boiler-*", "kessel-*"], firmware: ["2.*"] },
    metrics: [
      {
        name: "temperature",
        type: "number",
        kind: "gauge",
        displayName: "Température",
        unit: "°C",
        decimals: 1,
        range: { min: -20, max: 120 },
      },
      { name: "burner", type: "boolean", kind: "state" },
      { name: "mode", type: "string", kind: "state", states: ["off", "eco", "boost"] },
      { name: "starts", type: "number", kind: "counter" },
    ],
    commands: [
      { name: "reboot", description: "Restart the controller" },
      {
        name: "set-target",
        args: { type: "object", properties: { celsius: { type: "number", minimum: 30, maximum: 90 } }, required: ["celsius"] },
      },
    ],
    defaultConfig: { sampleIntervalMs: 5_000, wifi: { ssid: "plant", password: WIFI_PASSWORD }, extra: richDocument() },
    layout: {
      charts: [
        { title: "Temperature", metrics: ["temperature"] },
        { title: "Burner", metrics: ["burner", "mode"], shown: false },
      ],
    },
  };
}

/** A profile with only what is required. */
function minimalDefinition(id: string, name = `Profile ${id}`): ProfileDefinition {
  return { id, name, metrics: [], commands: [], layout: { charts: [] } };
}

/** `definition` as stored at `version`, changed at `updatedAt` by `updatedBy` (created at T, not built in, unless told). */
function stored(
  definition: ProfileDefinition,
  version: number,
  updatedAt: number,
  updatedBy: string | null,
  builtIn = false,
  createdAt = T,
): DeviceProfile {
  return { ...definition, version, builtIn, createdAt, updatedAt, updatedBy };
}

/**
 * The behaviour every `ProfileRepository` must have. `open` gives a fresh, empty database's
 * profiles (secrets sealed with the default `security.secretKeyPattern`), the device repository
 * of the same database (devices hold profiles), and `readRaw(id)`: every stored value of the
 * profile and of its history as text (for the at-rest check; no SQL in the contract).
 */
export function profileRepositoryContract(
  name: string,
  factory: {
    open(): Promise<{ profiles: ProfileRepository; devices: DeviceRepository; readRaw(id: string): Promise<string> }>;
    dispose(): Promise<void>;
  },
): void {
  describe(`ProfileRepository contract: ${name}`, () => {
    let profiles: ProfileRepository;
    let devices: DeviceRepository;
    let readRaw: (id: string) => Promise<string>;
    const device = (id: string, profileId: string | null) =>
      devices.create({ id, name: id, tokenHash: "sha256:x", labels: {}, profileId, at: T });

    before(async () => {
      ({ profiles, devices, readRaw } = await factory.open());
    });
    after(() => factory.dispose());

    test("create answers the profile whole at version 1, read back the same by get; absent optional parts stay absent", async () => {
      const full = await profiles.create({ definition: fullDefinition("boiler"), at: T, by: "ada", builtIn: false });
      const expected: DeviceProfile = stored(fullDefinition("boiler"), 1, T, "ada");
      assert.deepEqual(full, expected);
      assert.deepEqual(await profiles.get("boiler"), expected);
      const minimal = await profiles.create({ definition: minimalDefinition("generic"), at: T + 1, by: null, builtIn: true });
      assert.deepEqual(minimal, stored(minimalDefinition("generic"), 1, T + 1, null, true, T + 1));
      assert.equal(await profiles.get("nobody"), undefined);
      assert.equal(await profiles.get("BOILER"), undefined, "ids are compared exactly");
    });

    test("a taken id is a DuplicateProfileError naming it, and the profile stays as it was", async () => {
      const before = await profiles.get("boiler");
      const error = (await settle(profiles.create({ definition: minimalDefinition("boiler"), at: T + 2, by: "bob", builtIn: false })))
        .error;
      assert.ok(error instanceof DuplicateProfileError, String(error));
      assert.equal(error.profileId, "boiler");
      assert.deepEqual(await profiles.get("boiler"), before);
      assert.deepEqual(
        (await profiles.versions("boiler"))?.map((v) => v.version),
        [1],
      );
    });

    test("the default configuration's secret values are not readable at rest, in the profile or its history", async () => {
      const raw = await readRaw("boiler");
      for (const form of secretForms(WIFI_PASSWORD)) assert.ok(!raw.includes(form), `stored as ${form}`);
      assert.ok(raw.includes("Temperature") && raw.includes("plant"), "the other values stay plain");
    });

    test("update replaces the definition as the next version (creation time and built-in kept); expectedVersion guards it; unknown ids answer undefined", async () => {
      const second = await profiles.update("boiler", { definition: minimalDefinition("boiler", "Boiler v2"), at: T + 10, by: "bob" });
      assert.deepEqual(second, stored(minimalDefinition("boiler", "Boiler v2"), 2, T + 10, "bob"));
      const third = await profiles.update("boiler", { definition: fullDefinition("boiler"), at: T + 20, by: null, expectedVersion: 2 });
      assert.deepEqual(third, stored(fullDefinition("boiler"), 3, T + 20, null));
      const conflict = await profiles
        .update("boiler", { definition: minimalDefinition("boiler", "stale"), at: T + 30, by: "eve", expectedVersion: 2 })
        .then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
      assert.ok(conflict instanceof ProfileVersionConflictError, String(conflict));
      assert.deepEqual([conflict.profileId, conflict.expected, conflict.current], ["boiler", 2, 3]);
      assert.deepEqual(await profiles.get("boiler"), third, "a conflict changes nothing");
      const builtIn = await profiles.update("generic", { definition: minimalDefinition("generic", "Edited"), at: T + 40, by: "ada" });
      assert.deepEqual([builtIn?.builtIn, builtIn?.version, builtIn?.createdAt], [true, 2, T + 1]);
      assert.equal(await profiles.update("nobody", { definition: minimalDefinition("nobody"), at: T, by: null }), undefined);
      assert.equal(await profiles.get("nobody"), undefined, "an update creates nothing");
    });

    test("versions lists the history newest first; version(n) is the profile as it was then", async () => {
      assert.deepEqual(await profiles.versions("boiler"), [
        { version: 3, updatedAt: T + 20, updatedBy: null },
        { version: 2, updatedAt: T + 10, updatedBy: "bob" },
        { version: 1, updatedAt: T, updatedBy: "ada" },
      ]);
      assert.deepEqual(await profiles.version("boiler", 1), stored(fullDefinition("boiler"), 1, T, "ada"));
      assert.deepEqual(await profiles.version("boiler", 2), stored(minimalDefinition("boiler", "Boiler v2"), 2, T + 10, "bob"));
      assert.deepEqual(await profiles.version("boiler", 3), await profiles.get("boiler"));
      assert.equal(await profiles.version("boiler", 4), undefined);
      assert.equal(await profiles.version("boiler", 0), undefined);
      assert.equal(await profiles.version("nobody", 1), undefined);
      assert.equal(await profiles.versions("nobody"), undefined);
    });

    test("list pages by id in byte order with the total; all answers every profile in that order", async () => {
      // Byte order puts "-" before digits before letters; a locale's collation would not.
      for (const id of ["zone-b", "a0", "a-z", "ab", "a-b"])
        await profiles.create({ definition: minimalDefinition(id), at: T + 50, by: null, builtIn: false });
      const order = ["a-b", "a-z", "a0", "ab", "boiler", "generic", "zone-b"];
      assert.deepEqual(
        (await profiles.all()).map((p) => p.id),
        order,
      );
      const page = await profiles.list({ limit: 3, offset: 2 });
      assert.deepEqual([page.items.map((p) => p.id), page.total], [order.slice(2, 5), 7]);
      assert.deepEqual(page.items[2], await profiles.get("boiler"));
      assert.deepEqual(await profiles.list({ limit: 3, offset: 7 }), { items: [], total: 7 });
    });

    test("a device given an unknown profile is an UnknownProfileError; a profile held by devices cannot be deleted (ProfileInUseError counts them)", async () => {
      await assert.rejects(device("dev-x", "nobody"), UnknownProfileError);
      assert.equal(await devices.get("dev-x"), undefined);
      await device("dev-1", "a-b");
      await device("dev-2", null);
      await assert.rejects(devices.update("dev-2", { profileId: "nobody" }, T + 60), UnknownProfileError);
      await devices.update("dev-2", { profileId: "a-b" }, T + 60);
      const inUse = (await settle(profiles.delete("a-b"))).error;
      assert.ok(inUse instanceof ProfileInUseError, String(inUse));
      assert.deepEqual([inUse.profileId, inUse.devices], ["a-b", 2]);
      assert.notEqual(await profiles.get("a-b"), undefined);
      await devices.update("dev-1", { profileId: null }, T + 70);
      await assert.rejects(profiles.delete("a-b"), (error) => error instanceof ProfileInUseError && error.devices === 1);
      await devices.delete("dev-2");
      assert.equal(await profiles.delete("a-b"), true);
    });

    test("delete forgets the profile with its history; it can no longer be given; deleting again answers false", async () => {
      assert.equal(await profiles.delete("boiler"), true);
      assert.deepEqual(
        [await profiles.get("boiler"), await profiles.versions("boiler"), await profiles.version("boiler", 1)],
        [undefined, undefined, undefined],
      );
      assert.equal(await profiles.delete("boiler"), false);
      assert.equal(await profiles.delete("nobody"), false);
      await assert.rejects(devices.update("dev-1", { profileId: "boiler" }, T + 80), UnknownProfileError);
      assert.equal((await profiles.all()).length, 5);
      const again = await profiles.create({ definition: minimalDefinition("boiler"), at: T + 90, by: null, builtIn: false });
      assert.equal(again.version, 1, "a new profile of the same id starts a new history");
      assert.deepEqual(
        (await profiles.versions("boiler"))?.map((v) => v.version),
        [1],
      );
    });

    test("writers at once: one of two creates of an id wins, one of two updates from the same version wins", async () => {
      for (let round = 0; round < 5; round++) {
        const id = `race-${round}`;
        const creates = await Promise.all(
          [0, 1].map((i) => settle(profiles.create({ definition: minimalDefinition(id, `by ${i}`), at: T, by: null, builtIn: false }))),
        );
        assert.equal(creates.filter((c) => c.value).length, 1, `round ${round}: one create wins`);
        assert.ok(
          creates.some((c) => c.error instanceof DuplicateProfileError),
          `round ${round}: ${String(creates.find((c) => c.error)?.error)}`,
        );
        const updates = await Promise.all(
          [0, 1].map((i) =>
            settle(profiles.update(id, { definition: minimalDefinition(id, `edit ${i}`), at: T + 1, by: null, expectedVersion: 1 })),
          ),
        );
        assert.equal(updates.filter((u) => u.value).length, 1, `round ${round}: one update wins`);
        assert.ok(
          updates.some((u) => u.error instanceof ProfileVersionConflictError),
          `round ${round}: ${String(updates.find((u) => u.error)?.error)}`,
        );
        const current = (await profiles.get(id)) as DeviceProfile;
        assert.deepEqual([current.version, current.name], [2, updates.find((u) => u.value)?.value?.name]);
        assert.deepEqual(
          (await profiles.versions(id))?.map((v) => v.version),
          [2, 1],
        );
      }
    });

    test("a delete racing a device being given the profile: either the device has it and the delete is refused, or the delete wins and the device is refused", async () => {
      for (let round = 0; round < 36; round++) {
        const id = `contested-${round}`;
        await profiles.create({ definition: minimalDefinition(id), at: T, by: null, builtIn: false });
        const deviceId = `holder-${round}`;
        await device(deviceId, null);
        // The device's update starts 0 to 5 reads after the delete, so that it lands in each of the delete's steps.
        const give = async () => {
          for (let read = 0; read < round % 6; read++) await profiles.get(id);
          return devices.update(deviceId, { profileId: id }, T + 1);
        };
        const [deleted, given] = await Promise.all([settle(profiles.delete(id)), settle(give())]);
        const holder = await devices.get(deviceId);
        if (deleted.value === true) {
          assert.ok(given.error instanceof UnknownProfileError, `round ${round}: ${String(given.error)}`);
          assert.deepEqual([holder?.profileId, await profiles.get(id)], [null, undefined]);
        } else {
          assert.ok(deleted.error instanceof ProfileInUseError, `round ${round}: ${String(deleted.error)}`);
          assert.equal(given.error, undefined);
          assert.equal(holder?.profileId, id);
        }
      }
    });
  });
}
