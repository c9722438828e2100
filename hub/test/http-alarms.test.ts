import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Alarm, AlarmTransition } from "../src/alarms/alarm.js";
import type { AlarmRule } from "../src/alarms/rule.js";
import { parseApiKey } from "../src/http/api-key-format.js";
import { TOO_HOT_CONDITION } from "./support/alarm-rule-bodies.js";
import { eventually } from "./support/eventually.js";
import { errorOf, HttpTestHub, T0 } from "./support/http-test-hub.js";
import { RawDevice } from "./support/raw-device.js";

type AlarmView = Alarm & { transitions?: AlarmTransition[] };
type Page = { data: AlarmView[]; total: number; limit: number; offset: number };

/**
 * Alarms through the API, raised by a real device's readings on a real hub: one rule (major above
 * 50, critical above 80) on two labelled devices. d1: raised, escalated, cleared, raised again
 * (A1 cleared, A2 active major); d2 (profile sim-thermostat): A3 active critical.
 */
describe("HTTP API: alarms (list, filters, history, acknowledge, clear)", () => {
  let t: HttpTestHub;
  let operatorKey: string;
  let operatorKeyId: string;
  let viewerKey: string;
  let rule: AlarmRule;
  const devices: RawDevice[] = [];
  let a1: AlarmView;
  let a2: AlarmView;
  let a3: AlarmView;
  let wsUrl: string;

  const list = async (query: string, key?: string): Promise<Page> => {
    const response = await t.request("GET", `/api/v1/alarms${query}`, key === undefined ? {} : { key });
    assert.equal(response.statusCode, 200, response.body);
    return response.json() as Page;
  };
  const ids = (page: Page) => page.data.map((alarm) => alarm.id);

  async function connect(deviceId: string, body: Record<string, unknown>): Promise<RawDevice> {
    const token = await t.createDevice(deviceId, { labels: { site: "alarm-test" }, ...body });
    const device = await RawDevice.connect(wsUrl, { deviceId, token });
    assert.ok(device instanceof RawDevice);
    await device.hello({ time: T0 });
    devices.push(device);
    return device;
  }

  before(async () => {
    t = await HttpTestHub.start();
    wsUrl = (await t.hub.listen()).replace(/^http/, "ws");
    operatorKey = await t.createKey("operator", "ops key");
    operatorKeyId = parseApiKey(operatorKey)?.id as string;
    viewerKey = await t.createKey("viewer");
    await t.createDevice("quiet-device", { labels: { site: "alarm-test" } });
    const created = await t.request("POST", "/api/v1/alarm-rules", {
      key: operatorKey,
      body: {
        name: "Too hot",
        scope: { kind: "labels", labels: { site: "alarm-test" } },
        condition: TOO_HOT_CONDITION,
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    rule = created.json() as AlarmRule;

    const d1 = await connect("d1", {});
    d1.send({
      t: "batch",
      seq: 1,
      r: [
        { ts: T0 - 60_000, m: { temperature: 60 } },
        { ts: T0 - 50_000, m: { temperature: 90 } },
        { ts: T0 - 40_000, m: { temperature: 20 } },
        { ts: T0 - 30_000, m: { temperature: 70 } },
      ],
    });
    await d1.ackFor(1);
    const d2 = await connect("d2", { profileId: "sim-thermostat" });
    d2.send({ t: "batch", seq: 1, r: [{ ts: T0 - 20_000, m: { temperature: 95 } }] });
    await d2.ackFor(1);
    await eventually(async () => (await list("?status=active")).total === 2, "two alarms are active");
    [a3, a2, a1] = (await list("")).data as [AlarmView, AlarmView, AlarmView];
  });

  after(async () => {
    for (const device of devices) device.ws.close();
    await t.close();
  });

  it("lists every alarm newest raised first, without transitions, with X-Total-Count", async () => {
    const response = await t.request("GET", "/api/v1/alarms", { key: viewerKey });
    assert.equal(response.headers["x-total-count"], "3");
    const page = response.json() as Page;
    assert.deepEqual(
      page.data.map((alarm) => [alarm.deviceId, alarm.status, alarm.severity, alarm.peakSeverity, alarm.raisedAt, alarm.value]),
      [
        ["d2", "active", "critical", "critical", T0 - 20_000, 95],
        ["d1", "active", "major", "major", T0 - 30_000, 70],
        ["d1", "cleared", "critical", "critical", T0 - 60_000, 20],
      ],
    );
    for (const alarm of page.data) {
      assert.equal(alarm.transitions, undefined);
      assert.equal(alarm.ruleId, rule.id);
      assert.equal(alarm.ruleName, "Too hot");
      assert.equal(alarm.acknowledged, false);
    }
    assert.equal(a3.profileId, "sim-thermostat");
    assert.equal(a1.profileId, null);
    assert.equal(a1.clearedBy, "rule");
    assert.equal(a1.clearedAt, T0 - 40_000);
  });

  it("filters by status, severity, device, profile, rule, acknowledgement and raise time, combined, and pages", async () => {
    const cases: [string, string[]][] = [
      ["?status=active", [a3.id, a2.id]],
      ["?status=cleared", [a1.id]],
      ["?severity=critical", [a3.id, a1.id]],
      ["?severity=major", [a2.id]],
      ["?severity=warning", []],
      ["?deviceId=d1", [a2.id, a1.id]],
      ["?deviceId=d1&status=active", [a2.id]],
      ["?profileId=sim-thermostat", [a3.id]],
      [`?ruleId=${rule.id}`, [a3.id, a2.id, a1.id]],
      ["?ruleId=rule_other", []],
      ["?acknowledged=false", [a3.id, a2.id, a1.id]],
      ["?acknowledged=true", []],
      [`?from=${T0 - 30_000}`, [a3.id, a2.id]],
      [`?to=${T0 - 30_000}`, [a1.id]],
      [`?from=${T0 - 60_000}&to=${T0 - 20_000}`, [a2.id, a1.id]],
    ];
    for (const [query, expected] of cases) {
      const page = await list(query, viewerKey);
      assert.deepEqual(ids(page), expected, query);
      assert.equal(page.total, expected.length, query);
    }
    const page = await list("?limit=2&offset=1");
    assert.deepEqual(
      { ids: ids(page), total: page.total, limit: page.limit, offset: page.offset },
      { ids: [a2.id, a1.id], total: 3, limit: 2, offset: 1 },
    );
    for (const query of ["?status=open", "?severity=fatal", "?acknowledged=maybe", "?limit=0", "?include=everything", "?deviceId=a%20b"]) {
      assert.deepEqual(errorOf(await t.request("GET", `/api/v1/alarms${query}`)), { status: 400, code: "TH_API_VALIDATION" }, query);
    }
  });

  it("gives one alarm with its transitions, oldest first, by the rule with the values that moved it and its words", async () => {
    const response = await t.request("GET", `/api/v1/alarms/${a1.id}`, { key: viewerKey });
    assert.equal(response.statusCode, 200);
    const alarm = response.json() as AlarmView;
    assert.deepEqual(
      alarm.transitions?.map((step) => [step.seq, step.kind, step.at, step.severity, step.by, step.byName, step.comment, step.value]),
      [
        [1, "raised", T0 - 60_000, "major", "rule", null, "temperature 60 above 50", 60],
        [2, "escalated", T0 - 50_000, "critical", "rule", null, "temperature 90 above 80", 90],
        [3, "cleared", T0 - 40_000, "critical", "rule", null, "temperature back to 20", 20],
      ],
    );
    assert.deepEqual({ ...alarm, transitions: undefined }, { ...a1, transitions: undefined });
    assert.deepEqual(errorOf(await t.request("GET", "/api/v1/alarms/alm_none")), { status: 404, code: "TH_API_NOT_FOUND" });
  });

  it("with include=transitions every listed alarm carries its history, and limit is at most 100", async () => {
    const page = await list("?include=transitions");
    for (const alarm of page.data) {
      const one = (await t.request("GET", `/api/v1/alarms/${alarm.id}`)).json() as AlarmView;
      assert.deepEqual(alarm.transitions, one.transitions);
    }
    assert.deepEqual(
      page.data.map((alarm) => alarm.transitions?.length),
      [1, 1, 3],
    );
    assert.equal((await list("?include=transitions&limit=100")).total, 3);
    const refused = await t.request("GET", "/api/v1/alarms?include=transitions&limit=101");
    assert.deepEqual(errorOf(refused), { status: 400, code: "TH_API_VALIDATION" });
    assert.equal((await t.request("GET", "/api/v1/alarms?limit=101")).statusCode, 200);
  });

  it("counts the open alarms per severity for the badge", async () => {
    const response = await t.request("GET", "/api/v1/alarms/summary", { key: viewerKey });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), {
      bySeverity: { critical: 1, major: 1, minor: 0, warning: 0 },
      unacknowledged: 2,
      active: 2,
    });
  });

  it("refuses viewers acknowledge and clear with 403 TH_API_FORBIDDEN, and changes nothing", async () => {
    for (const step of ["acknowledge", "clear"]) {
      const response = await t.request("POST", `/api/v1/alarms/${a2.id}/${step}`, { key: viewerKey, body: { comment: "no" } });
      assert.deepEqual(errorOf(response), { status: 403, code: "TH_API_FORBIDDEN" }, step);
    }
    const alarm = (await t.request("GET", `/api/v1/alarms/${a2.id}`)).json() as AlarmView;
    assert.deepEqual(
      { acknowledged: alarm.acknowledged, status: alarm.status, steps: alarm.transitions?.length },
      { acknowledged: false, status: "active", steps: 1 },
    );
  });

  it("acknowledges with a comment, by the caller, once; audits it", async () => {
    const response = await t.request("POST", `/api/v1/alarms/${a2.id}/acknowledge`, {
      key: operatorKey,
      body: { comment: "vent motor ordered" },
    });
    assert.equal(response.statusCode, 200, response.body);
    const alarm = response.json() as AlarmView;
    assert.deepEqual(
      { acknowledged: alarm.acknowledged, by: alarm.acknowledgedBy, at: alarm.acknowledgedAt, status: alarm.status },
      { acknowledged: true, by: `key:${operatorKeyId}`, at: T0, status: "active" },
    );
    const last = alarm.transitions?.at(-1);
    assert.deepEqual(
      [last?.kind, last?.at, last?.severity, last?.by, last?.byName, last?.comment],
      ["acknowledged", T0, "major", `key:${operatorKeyId}`, "ops key", "vent motor ordered"],
    );
    const again = (
      await t.request("POST", `/api/v1/alarms/${a2.id}/acknowledge`, { key: operatorKey, body: { comment: "twice" } })
    ).json() as AlarmView;
    assert.deepEqual(again.transitions, alarm.transitions, "a second acknowledge adds no step");
    assert.deepEqual(ids(await list("?acknowledged=true")), [a2.id]);
    assert.deepEqual((await t.request("GET", "/api/v1/alarms/summary")).json(), {
      bySeverity: { critical: 1, major: 1, minor: 0, warning: 0 },
      unacknowledged: 1,
      active: 2,
    });
    const audit = (await t.request("GET", `/api/v1/audit?action=alarm.acknowledge&target=${a2.id}`)).json() as {
      data: { actor: string; details: Record<string, unknown> }[];
    };
    assert.equal(audit.data.length, 2);
    assert.equal(audit.data[0]?.actor, `key:${operatorKeyId}`);
    assert.deepEqual(
      { ruleId: audit.data[0]?.details.ruleId, deviceId: audit.data[0]?.details.deviceId },
      { ruleId: rule.id, deviceId: "d1" },
    );
  });

  it("clears by hand without a body or with a blank comment (no comment); a cleared alarm is answered as it is", async () => {
    const response = await t.request("POST", `/api/v1/alarms/${a3.id}/clear`, { key: operatorKey });
    assert.equal(response.statusCode, 200, response.body);
    const alarm = response.json() as AlarmView;
    assert.deepEqual(
      { status: alarm.status, clearedBy: alarm.clearedBy, clearedAt: alarm.clearedAt, acknowledged: alarm.acknowledged },
      { status: "cleared", clearedBy: `key:${operatorKeyId}`, clearedAt: T0, acknowledged: false },
    );
    const last = alarm.transitions?.at(-1);
    assert.deepEqual([last?.kind, last?.by, last?.byName, last?.comment], ["cleared", `key:${operatorKeyId}`, "ops key", null]);
    const again = await t.request("POST", `/api/v1/alarms/${a3.id}/clear`, { key: operatorKey, body: { comment: "   " } });
    assert.deepEqual((again.json() as AlarmView).transitions, alarm.transitions);
    // A cleared alarm can still be acknowledged.
    const acknowledged = (
      await t.request("POST", `/api/v1/alarms/${a1.id}/acknowledge`, { key: operatorKey, body: { comment: "" } })
    ).json() as AlarmView;
    assert.deepEqual([acknowledged.status, acknowledged.acknowledged, acknowledged.transitions?.at(-1)?.comment], ["cleared", true, null]);
    assert.equal((await t.request("GET", `/api/v1/audit?action=alarm.clear&target=${a3.id}`)).json().data.length, 2);
  });

  it("refuses a comment over 1,000 characters or an unknown field with 400 TH_API_VALIDATION, and an unknown alarm with 404", async () => {
    assert.equal(
      (await t.request("POST", `/api/v1/alarms/${a2.id}/clear`, { key: operatorKey, body: { comment: "x".repeat(1001) } })).json().error
        .code,
      "TH_API_VALIDATION",
    );
    assert.equal(
      (await t.request("POST", `/api/v1/alarms/${a2.id}/acknowledge`, { key: operatorKey, body: { comment: "x".repeat(1000) } }))
        .statusCode,
      200,
    );
    for (const step of ["acknowledge", "clear"]) {
      const response = await t.request("POST", `/api/v1/alarms/${a2.id}/${step}`, { key: operatorKey, body: { note: "x" } });
      assert.deepEqual(errorOf(response), { status: 400, code: "TH_API_VALIDATION" }, step);
      assert.deepEqual(errorOf(await t.request("POST", `/api/v1/alarms/alm_none/${step}`, { key: operatorKey })), {
        status: 404,
        code: "TH_API_NOT_FOUND",
      });
    }
    assert.equal(((await t.request("GET", `/api/v1/alarms/${a2.id}`)).json() as AlarmView).status, "active");
  });

  it("a rule narrowed to fewer devices clears the others' alarms by system; a disabled rule clears all of its own", async () => {
    const created = await t.request("POST", "/api/v1/alarm-rules", {
      key: operatorKey,
      body: {
        name: "Pressure",
        scope: { kind: "labels", labels: { site: "alarm-test" } },
        condition: { kind: "metric", metric: "pressure", levels: [{ severity: "minor", op: "above", value: 10 }] },
      },
    });
    const pressure = created.json() as AlarmRule;
    for (const device of devices) device.send({ t: "batch", seq: 2, r: [{ ts: T0 - 10_000, m: { pressure: 20 } }] });
    await eventually(
      async () => (await list(`?ruleId=${pressure.id}&status=active`)).total === 2,
      "both devices' pressure alarms are active",
    );
    const definition = { name: "Pressure", condition: (created.json() as AlarmRule).condition };
    const narrowed = await t.request("PUT", `/api/v1/alarm-rules/${pressure.id}`, {
      key: operatorKey,
      body: { ...definition, scope: { kind: "device", deviceId: "d2" } },
    });
    assert.equal(narrowed.statusCode, 200, narrowed.body);
    await eventually(async () => (await list(`?ruleId=${pressure.id}&status=active`)).total === 1, "d1's alarm is cleared");
    const [d1Alarm] = (await list(`?ruleId=${pressure.id}&deviceId=d1&include=transitions`)).data;
    assert.deepEqual(
      [d1Alarm?.status, d1Alarm?.clearedBy, d1Alarm?.transitions?.at(-1)?.comment],
      ["cleared", "system", "the rule no longer applies to the device"],
    );
    const disabled = await t.request("PUT", `/api/v1/alarm-rules/${pressure.id}`, {
      key: operatorKey,
      body: { ...definition, scope: { kind: "device", deviceId: "d2" }, enabled: false },
    });
    assert.equal((disabled.json() as AlarmRule).enabled, false);
    await eventually(async () => (await list(`?ruleId=${pressure.id}&status=active`)).total === 0, "d2's alarm is cleared");
    const [d2Alarm] = (await list(`?ruleId=${pressure.id}&deviceId=d2&include=transitions`)).data;
    assert.deepEqual([d2Alarm?.clearedBy, d2Alarm?.transitions?.at(-1)?.comment], ["system", "rule disabled"]);
    assert.equal((await t.request("DELETE", `/api/v1/alarm-rules/${pressure.id}`, { key: operatorKey })).statusCode, 204);
  });

  it("deleting the rule clears its active alarms by system, with the comment 'rule deleted'", async () => {
    assert.equal((await t.request("DELETE", `/api/v1/alarm-rules/${rule.id}`, { key: operatorKey })).statusCode, 204);
    await eventually(async () => (await list("?status=active")).total === 0, "no alarm is active");
    const alarm = (await t.request("GET", `/api/v1/alarms/${a2.id}`)).json() as AlarmView;
    const last = alarm.transitions?.at(-1);
    assert.deepEqual([alarm.clearedBy, last?.kind, last?.by, last?.comment], ["system", "cleared", "system", "rule deleted"]);
    assert.equal((await list(`?ruleId=${rule.id}`)).total, 3, "the alarms stay in the history");
  });
});
