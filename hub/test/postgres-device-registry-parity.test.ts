import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { DeviceListQuery, DeviceRepository, DeviceSortField } from "../src/storage/device-repository.js";
import { PgDeviceRepository } from "../src/storage/postgres/pg-device-repository.js";
import { SqliteDeviceRepository } from "../src/storage/sqlite/sqlite-device-repository.js";
import { MetaDbs } from "./support/meta-db.js";
import { MigratedDatabases, requirePostgres } from "./support/postgres.js";

/** Ids and names that tell sort orders apart: natural numbers, case, accents, LIKE wildcards, equal names. */
const FLEET: readonly { id: string; name: string; labels: Record<string, string>; profileId: string | null }[] = [
  { id: "sim-10", name: "Boiler 10", labels: { site: "north", floor: "1" }, profileId: "p1" },
  { id: "sim-2", name: "boiler 2", labels: { site: "north" }, profileId: "p1" },
  { id: "Sim-3", name: "Boiler 3", labels: { site: "south", floor: "1" }, profileId: null },
  { id: "sim-02", name: "boiler 2", labels: {}, profileId: "p2" },
  { id: "alpha", name: "Éclair", labels: { site: "north", floor: "2" }, profileId: null },
  { id: "Zeta", name: "zeta", labels: { floor: "1" }, profileId: "p2" },
  { id: "éclair", name: "eclair", labels: {}, profileId: null },
  { id: "b_1", name: "b%1", labels: { site: "south" }, profileId: null },
  { id: "b%1", name: "b_1", labels: {}, profileId: "p1" },
  { id: "device 7", name: "Device 7", labels: { site: "north" }, profileId: null },
];

const SORTS: readonly DeviceSortField[] = ["id", "name", "createdAt", "lastSeenAt", "firmware", "model"];

const FILTERS: readonly Partial<DeviceListQuery>[] = [
  {},
  { search: "SIM" },
  { search: "_" },
  { search: "%" },
  { search: "ÉCLAIR" },
  { search: "éclair" },
  { search: "boiler 2" },
  { ids: ["sim-2", "Zeta", "nobody"] },
  { ids: [] },
  { excludeIds: ["sim-2", "alpha"] },
  { excludeIds: [] },
  { revoked: true },
  { revoked: false },
  { model: "esp32" },
  { firmware: "1.0" },
  { profileId: "p1" },
  { labels: { site: "north" } },
  { labels: { site: "north", floor: "1" } },
  { labels: { nothing: "x" } },
  { seen: true },
  { seen: false },
  { seen: true, revoked: false, labels: { site: "north" }, search: "b" },
];

/** The same history, written through one repository. */
async function writeHistory(devices: DeviceRepository): Promise<void> {
  for (const [i, device] of FLEET.entries()) {
    await devices.create({ ...device, tokenHash: `sha256:${device.id}`, at: 1_765_432_100_000 + (i % 4) });
  }
  const hellos = [
    { id: "sim-10", firmware: "1.0", model: "esp32" },
    { id: "sim-2", firmware: "1.10", model: "esp32" },
    { id: "Sim-3", firmware: null, model: "pi" },
    { id: "alpha", firmware: "1.0", model: null },
    { id: "Zeta", firmware: "2.0", model: "Pi" },
  ];
  for (const [i, hello] of hellos.entries()) {
    await devices.recordHello(hello.id, {
      firmware: hello.firmware,
      model: hello.model,
      attributes: { ip: `10.0.0.${i}`, heap: 100 + i },
      clockSkewMs: i - 2,
      commands: i % 2 === 0 ? ["reboot"] : [],
      at: 1_765_432_200_000 + i,
    });
  }
  await devices.touchLastSeen([
    { id: "sim-10", at: 1_765_432_300_009 },
    { id: "sim-10", at: 1_765_432_300_003 },
    { id: "b_1", at: 1_765_432_300_001 },
    { id: "nobody", at: 1_765_432_300_001 },
    { id: "Sim-3", at: 1 },
  ]);
  await devices.mergeAttributes("sim-2", { heap: 7, fresh: true, ip: "10.9.9.9" }, 1_765_432_400_000);
  await devices.mergeAttributes("sim-02", { first: "x" }, 1_765_432_400_001);
  await devices.revoke("Zeta", 1_765_432_500_000);
  await devices.setTokenHash("alpha", "sha256:alpha-2", 1_765_432_500_001, 1_765_432_600_000);
  await devices.update("b%1", { name: "renamed 10", labels: { site: "east" } }, 1_765_432_500_002);
  await devices.assignProfileIfNone("device 7", "p2", 1_765_432_500_003);
  await devices.assignProfileIfNone("sim-10", "p2", 1_765_432_500_004);
}

describe("the PostgreSQL device registry answers as meta.db does", { skip: requirePostgres() }, () => {
  const pgs = new MigratedDatabases("parity");
  const metas = new MetaDbs();
  let sqlite: DeviceRepository;
  let postgres: DeviceRepository;

  before(async () => {
    await pgs.start();
    const { db: pgDb } = await pgs.create();
    const { db: metaDb } = metas.create();
    for (const id of ["p1", "p2"]) {
      metaDb.prepare("INSERT INTO profiles (id, version, definition, created_at, updated_at) VALUES (?, 1, '{}', 0, 0)").run(id);
      await pgDb.query("INSERT INTO profiles (id, version, definition, created_at, updated_at) VALUES ($1, 1, '{}', 0, 0)", [id]);
    }
    sqlite = new SqliteDeviceRepository(metaDb);
    postgres = new PgDeviceRepository(pgDb);
    await writeHistory(sqlite);
    await writeHistory(postgres);
  });
  after(async () => {
    metas.dispose();
    await pgs.stop();
  });

  test("every device reads back the same, with the same token hashes", async () => {
    for (const id of [...FLEET.map((device) => device.id), "nobody", "SIM-10"]) {
      assert.deepEqual(await postgres.get(id), await sqlite.get(id), id);
      assert.deepEqual(await postgres.tokenHashes(id), await sqlite.tokenHashes(id), id);
      assert.deepEqual(await postgres.previousToken(id), await sqlite.previousToken(id), id);
    }
  });

  test("every sort, both ways, under every filter, whole and paged", async () => {
    for (const filter of FILTERS) {
      for (const sort of SORTS) {
        for (const order of ["asc", "desc"] as const) {
          for (const [limit, offset] of [
            [100, 0],
            [3, 2],
          ] as const) {
            const query: DeviceListQuery = { limit, offset, sort, order, ...filter };
            const [mine, theirs] = await Promise.all([postgres.list(query), sqlite.list(query)]);
            assert.deepEqual(
              { total: mine.total, ids: mine.items.map((device) => device.id) },
              { total: theirs.total, ids: theirs.items.map((device) => device.id) },
              JSON.stringify(query),
            );
          }
        }
      }
    }
  });

  test("fleet counts, by state and by firmware, model, profile and label", async () => {
    for (const connected of [[], ["sim-2", "Zeta", "nobody"], FLEET.map((device) => device.id)]) {
      assert.deepEqual(await postgres.fleetCounts(connected), await sqlite.fleetCounts(connected), JSON.stringify(connected));
    }
  });
});
