import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { naturalSortKey } from "../src/storage/natural-sort-key.js";
import { eventually } from "./support/eventually.js";
import { HttpTestHub, T0 } from "./support/http-test-hub.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";

interface Page {
  data: { id: string; name: string }[];
  total: number;
}

describe("natural sort keys", () => {
  it("order digit runs by value, case-insensitively", () => {
    const sorted = (texts: string[]) => [...texts].sort((a, b) => (naturalSortKey(a) < naturalSortKey(b) ? -1 : 1));
    assert.deepEqual(sorted(["sim-100", "sim-10", "sim-2", "sim-1"]), ["sim-1", "sim-2", "sim-10", "sim-100"]);
    assert.deepEqual(sorted(["a2b10", "a2b9", "a10b1", "A2b1"]), ["A2b1", "a2b9", "a2b10", "a10b1"]);
    assert.equal(naturalSortKey("sim-007"), naturalSortKey("sim-7"));
    assert.ok(naturalSortKey("x9") < naturalSortKey("x10") && naturalSortKey("x0") < naturalSortKey("x1"));
  });
});

describe("fleet reads and device list filters", () => {
  let t: HttpTestHub;
  let wsUrl: string;
  const devices: RawDevice[] = [];
  /** Ids in natural order; names reverse them (name of sim-1 is "unit 100", …). */
  const SIMS = ["sim-1", "sim-2", "sim-3", "sim-10", "sim-11", "sim-20", "sim-100", "sim-101"];

  async function list(query: string): Promise<Page> {
    const response = await t.request("GET", `/api/v1/devices?${query}`);
    assert.equal(response.statusCode, 200, response.body);
    return response.json() as Page;
  }
  const ids = async (query: string) => (await list(query)).data.map((device) => device.id);

  async function connect(id: string, token: string): Promise<RawDevice> {
    const device = await RawDevice.connect(wsUrl, { deviceId: id, token });
    if (isRefusal(device)) throw new Error(`${id} refused: ${device.status} ${device.code}`);
    devices.push(device);
    await device.hello({ time: t.nowMs });
    return device;
  }

  async function sendReading(device: RawDevice, seq: number): Promise<void> {
    device.send({ t: "batch", seq, r: [{ ts: t.nowMs, m: { temp: 20 + seq, on: true } }] });
    await device.ackFor(seq);
  }

  before(async () => {
    t = await HttpTestHub.start();
    wsUrl = (await t.hub.listen()).replace(/^http/, "ws");
    const names = [...SIMS].reverse();
    for (const [i, id] of SIMS.entries())
      await t.createDevice(id, { name: `unit ${names[i]?.slice(4)}`, labels: { site: i % 2 === 0 ? "north" : "south" } });
    const fresh = await t.createDevice("on-fresh", { labels: { site: "north", rack: "a" } });
    const stale = await t.createDevice("on-stale");
    const quiet = await t.createDevice("on-quiet");
    const gone = await t.createDevice("gone");
    await t.createDevice("revoked-1");
    assert.equal((await t.request("POST", "/api/v1/devices/revoked-1/revoke")).statusCode, 200);
    const freshDevice = await connect("on-fresh", fresh);
    const staleDevice = await connect("on-stale", stale);
    await connect("on-quiet", quiet);
    await sendReading(freshDevice, 1);
    await sendReading(staleDevice, 1);
    const goneDevice = await connect("gone", gone);
    goneDevice.close();
    await eventually(async () => !(await ids("connected=true")).includes("gone"), "gone is disconnected");
    // A minute and more later only on-fresh has sent anything.
    t.nowMs = T0 + 61_000;
    await sendReading(freshDevice, 2);
  });

  after(async () => {
    for (const device of devices) device.close();
    await t.close();
  });

  it("sort=id and sort=name are natural, ascending and descending, and pages split where the order says", async () => {
    const natural = SIMS;
    assert.deepEqual(await ids("q=sim-&sort=id"), natural);
    assert.deepEqual(await ids("q=sim-&sort=-id"), [...natural].reverse());
    const pages = [
      ...(await ids("q=sim-&sort=id&limit=3&offset=0")),
      ...(await ids("q=sim-&sort=id&limit=3&offset=3")),
      ...(await ids("q=sim-&sort=id&limit=3&offset=6")),
    ];
    assert.deepEqual(pages, natural);
    assert.deepEqual(
      [...(await ids("q=sim-&sort=-id&limit=4")), ...(await ids("q=sim-&sort=-id&limit=4&offset=4"))],
      [...natural].reverse(),
    );
    // Names run the other way round: "unit 101" is sim-1's.
    assert.deepEqual(await ids("q=sim-&sort=name"), [...natural].reverse());
    assert.deepEqual([...(await ids("q=sim-&sort=-name&limit=5")), ...(await ids("q=sim-&sort=-name&limit=5&offset=5"))], natural);
  });

  it("a rename re-sorts the device by its new name", async () => {
    const patched = await t.request("PATCH", "/api/v1/devices/sim-3", { body: { name: "unit 1000" } });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal((await ids("q=sim-&sort=name")).at(-1), "sim-3");
    await t.request("PATCH", "/api/v1/devices/sim-3", { body: { name: "unit 20" } });
  });

  it("filters: label (repeatable, all must hold), state, profileId; combined with others", async () => {
    assert.deepEqual(await ids("label=site%3Dnorth&q=sim-"), ["sim-1", "sim-3", "sim-11", "sim-100"]);
    assert.deepEqual(await ids("label=site%3Dnorth&label=rack%3Da"), ["on-fresh"]);
    assert.deepEqual(await ids("label=rack%3Db"), []);
    assert.deepEqual(await ids("state=online"), ["on-fresh", "on-quiet", "on-stale"]);
    assert.deepEqual(await ids("state=stale"), ["on-quiet", "on-stale"]);
    assert.deepEqual(await ids("state=offline"), ["gone"]);
    assert.deepEqual(await ids("state=revoked"), ["revoked-1"]);
    assert.deepEqual(await ids("state=never&q=sim-1"), ["sim-1", "sim-10", "sim-11", "sim-100", "sim-101"]);
    assert.deepEqual(await ids("state=never&revoked=true"), []);
    assert.deepEqual(await ids("state=online&connected=false"), []);
    assert.equal((await list("state=never")).total, SIMS.length);
    assert.deepEqual(await ids("profileId=no-such-profile"), []);
    const bad = await t.request("GET", "/api/v1/devices?label=site");
    assert.equal(bad.statusCode, 400);
    assert.equal((await t.request("GET", "/api/v1/devices?state=sleepy")).statusCode, 400);
  });

  it("summary: counts by state (stale within online), firmware, model, profile and label", async () => {
    const response = await t.request("GET", "/api/v1/fleet/summary");
    assert.equal(response.statusCode, 200, response.body);
    const summary = response.json();
    const total = SIMS.length + 5;
    assert.deepEqual(
      {
        total: summary.total,
        online: summary.online,
        offline: summary.offline,
        stale: summary.stale,
        revoked: summary.revoked,
        never: summary.never,
      },
      { total, online: 3, offline: 1, stale: 2, revoked: 1, never: SIMS.length },
    );
    assert.deepEqual(summary.firmware, [
      { value: null, count: total - 4 },
      { value: "test-1.0", count: 4 },
    ]);
    assert.deepEqual(summary.models, [
      { value: null, count: total - 4 },
      { value: "raw", count: 4 },
    ]);
    assert.equal(
      summary.profiles.reduce((n: number, p: { count: number }) => n + p.count, 0),
      total,
    );
    assert.deepEqual(summary.labels, [
      { key: "rack", value: "a", count: 1 },
      { key: "site", value: "north", count: 5 },
      { key: "site", value: "south", count: 4 },
    ]);
    // Later still, on-fresh is stale too; a viewer may read the summary.
    t.nowMs = T0 + 200_000;
    const viewer = await t.createKey("viewer");
    const later = (await t.request("GET", "/api/v1/fleet/summary", { key: viewer })).json();
    assert.equal(later.stale, 3);
    t.nowMs = T0 + 61_000;
  });

  it("latest: newest values of several devices in one call, the metrics asked for, {} for none", async () => {
    const response = await t.request("GET", "/api/v1/fleet/latest?ids=on-fresh,on-stale,sim-1,nobody&metrics=temp");
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), {
      data: {
        "on-fresh": { temp: { ts: T0 + 61_000, value: 22 } },
        "on-stale": { temp: { ts: T0, value: 21 } },
        "sim-1": {},
        nobody: {},
      },
    });
    const all = (await t.request("GET", "/api/v1/fleet/latest?ids=on-stale")).json();
    assert.deepEqual(all.data["on-stale"], { on: { ts: T0, value: true }, temp: { ts: T0, value: 21 } });
    const tooMany = Array.from({ length: 201 }, (_, i) => `d${i}`).join(",");
    assert.equal((await t.request("GET", `/api/v1/fleet/latest?ids=${tooMany}`)).statusCode, 400);
    const metrics = Array.from({ length: 17 }, (_, i) => `m${i}`).join(",");
    assert.equal((await t.request("GET", `/api/v1/fleet/latest?ids=a&metrics=${metrics}`)).statusCode, 400);
    assert.equal((await t.request("GET", "/api/v1/fleet/latest?ids=bad%20id")).statusCode, 400);
    assert.equal((await t.request("GET", "/api/v1/fleet/latest")).statusCode, 400);
  });
});
