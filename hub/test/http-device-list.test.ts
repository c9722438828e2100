import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { errorOf, HttpTestHub, T0 } from "./support/http-test-hub.js";

interface Page {
  data: { id: string; name: string; [field: string]: unknown }[];
  total: number;
  limit: number;
  offset: number;
}

/** id, name, model, firmware, created at T0 + minutes, last seen at. */
const FLEET: [string, string, string | null, string | null, number, number | null][] = [
  ["alpha", "Boiler room", "esp32", "1.0.0", 3, 50],
  ["bravo", "Attic sensor", "rpi4", "2.1.0", 1, null],
  ["charlie", "Garden", "esp32", "1.1.0", 5, 10],
  ["delta", "boiler backup", "esp32", "1.0.0", 2, 30],
  ["echo", "Cellar", null, null, 4, null],
];

describe("HTTP API device list", () => {
  let t: HttpTestHub;
  const ids = FLEET.map(([id]) => id);

  before(async () => {
    t = await HttpTestHub.start({ api: { defaultPageSize: 3, maxPageSize: 50 } });
    for (const [id, name, model, firmware, createdMinute, lastSeen] of FLEET) {
      t.nowMs = T0 + createdMinute * 60_000;
      await t.createDevice(id, { name });
      if (model !== null || firmware !== null) {
        await t.hub.devices.recordHello(id, { firmware, model, attributes: {}, clockSkewMs: null, at: T0 });
      }
      await t.hub.devices.touchLastSeen(lastSeen === null ? [] : [{ id, at: T0 + lastSeen }]);
    }
    t.nowMs = T0;
    await t.request("POST", "/api/v1/devices/echo/revoke");
  });

  after(() => t.close());

  async function page(query: string): Promise<{ page: Page; totalHeader: string | undefined }> {
    const response = await t.request("GET", `/api/v1/devices${query}`);
    assert.equal(response.statusCode, 200, response.body);
    return { page: response.json() as Page, totalHeader: response.headers["x-total-count"] as string | undefined };
  }

  it("pages with the default page size and reports the total in the body and X-Total-Count", async () => {
    const first = await page("");
    assert.deepEqual(
      first.page.data.map((d) => d.id),
      ["alpha", "bravo", "charlie"],
    );
    assert.equal(first.page.total, 5);
    assert.equal(first.page.limit, 3);
    assert.equal(first.page.offset, 0);
    assert.equal(first.totalHeader, "5");
    const second = await page("?offset=3");
    assert.deepEqual(
      second.page.data.map((d) => d.id),
      ["delta", "echo"],
    );
    const beyond = await page("?offset=10&limit=2");
    assert.deepEqual(beyond.page.data, []);
    assert.equal(beyond.page.total, 5);
  });

  it("sorts by each field, both ways", async () => {
    const expected = (key: (row: (typeof FLEET)[number]) => string | number | null) =>
      [...FLEET]
        .sort((a, b) => {
          const x = key(a);
          const y = key(b);
          if (x === y) return a[0] < b[0] ? -1 : 1;
          if (x === null) return -1;
          if (y === null) return 1;
          return x < y ? -1 : 1;
        })
        .map(([id]) => id);
    const cases: [string, string[]][] = [
      ["id", expected((r) => r[0])],
      // Names sort naturally, case-insensitively (docs/api.md).
      ["name", expected((r) => r[1].toLowerCase())],
      ["createdAt", expected((r) => r[4])],
      ["model", expected((r) => r[2])],
    ];
    for (const [field, ascending] of cases) {
      assert.deepEqual(
        (await page(`?sort=${field}&limit=50`)).page.data.map((d) => d.id),
        ascending,
        `sort=${field}`,
      );
    }
    assert.deepEqual(
      (await page("?sort=-id&limit=50")).page.data.map((d) => d.id),
      [...ids].reverse(),
    );
    assert.deepEqual(
      (await page("?sort=-createdAt&limit=50")).page.data.map((d) => d.id),
      ["charlie", "echo", "alpha", "delta", "bravo"],
    );
    assert.deepEqual(
      (await page("?sort=createdAt&limit=50")).page.data.map((d) => d.id),
      ["bravo", "delta", "alpha", "echo", "charlie"],
    );
  });

  it("searches id and name case-insensitively", async () => {
    assert.deepEqual(
      (await page("?q=BOILER")).page.data.map((d) => d.id),
      ["alpha", "delta"],
    );
    assert.deepEqual(
      (await page("?q=char")).page.data.map((d) => d.id),
      ["charlie"],
    );
    const none = await page("?q=zzz");
    assert.equal(none.page.total, 0);
    assert.equal(none.totalHeader, "0");
  });

  it("filters by model, firmware, revoked and connected", async () => {
    assert.deepEqual(
      (await page("?model=esp32&limit=50")).page.data.map((d) => d.id),
      ["alpha", "charlie", "delta"],
    );
    assert.deepEqual(
      (await page("?model=esp32&firmware=1.0.0")).page.data.map((d) => d.id),
      ["alpha", "delta"],
    );
    assert.deepEqual(
      (await page("?revoked=true")).page.data.map((d) => d.id),
      ["echo"],
    );
    const active = await page("?revoked=false&limit=50");
    assert.equal(active.page.total, 4);
    assert.equal((await page("?connected=true")).page.total, 0);
    assert.equal((await page("?connected=false")).page.total, 5);
    assert.equal((await page("?connected=false&q=boiler&model=esp32")).page.total, 2);
  });

  it("refuses a limit over api.maxPageSize and other bad parameters with 400 TH_API_VALIDATION", async () => {
    for (const query of ["?limit=51", "?limit=0", "?offset=-1", "?sort=token", "?sort=-", "?connected=maybe", "?limit=abc"]) {
      assert.deepEqual(errorOf(await t.request("GET", `/api/v1/devices${query}`)), { status: 400, code: "TH_API_VALIDATION" }, query);
    }
    assert.equal((await page("?limit=50")).page.limit, 50);
  });
});
