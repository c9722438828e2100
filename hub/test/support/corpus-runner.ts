import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { decodeFrame } from "@telehub/device-client/protocol";
import { DEFAULT_CONFIG, type HubConfigInput } from "../../src/config/hub-config.js";
import { SqliteTelemetryStore } from "../../src/storage/sqlite/sqlite-telemetry-store.js";
import type { TelemetryStore } from "../../src/storage/telemetry-store.js";
import { callApi, TEST_ADMIN_KEY } from "./api-client.js";
import { connect as connectWebSocket, isRefused, type PeerConnection, type Refused, type Upgrade } from "./corpus-peer.js";
import { createDevice } from "./create-device.js";
import { eventually } from "./eventually.js";
import { gate } from "./gated-store.js";
import { type RunningHub, startHub } from "./hub-fixture.js";

/*
 * Plays every case of the protocol conformance corpus (device-client/conformance/corpus.json,
 * format in its README) against a live hub: real sockets, the device created through the API,
 * the bytes of each case sent as they are, and the hub's answer checked frame by frame. Over a
 * WebSocket (hub/test/conformance-corpus.test.ts) or the HTTP transport (…-http.test.ts).
 */

/** How the cases reach the hub: a connection like corpus-peer.ts's, and the cases that do not apply. */
export interface CorpusTransport {
  connect(running: RunningHub, deviceId: string, token: string, upgrade?: Upgrade): Promise<PeerConnection | Refused>;
  /** Why a case cannot run over this transport (it holds the hub to a rule of another transport), or undefined. */
  skip(one: CorpusCase): string | undefined;
}

/** The WebSocket, where every case applies. */
export const WEBSOCKET: CorpusTransport = {
  connect: connectWebSocket,
  skip: (one) => (one.transport === "http" ? "a case of the HTTP transport (docs/protocol.md §10)" : undefined),
};

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export interface Expectation {
  hex?: string;
  frame?: { [key: string]: Json };
  absent?: string[];
  present?: string[];
  msgIncludes?: string;
  containsHex?: string;
  close?: { code: number; reason: string };
  latest?: { [metric: string]: Json };
  ts?: number;
  stored?: number;
  command?: { [key: string]: Json };
  config?: { [key: string]: Json };
  attributes?: { [key: string]: Json };
}
export interface Step {
  send?: string;
  text?: boolean;
  expect?: Expectation;
  do?: string;
  ms?: number;
  document?: Json;
  conn?: number;
}
export interface CorpusCase {
  id: string;
  rule: string;
  config?: HubConfigInput;
  clock?: "manual";
  setup?: string;
  barrier?: boolean;
  /** The case holds the hub to a rule of this transport only (the corpus README). */
  transport?: "http";
  upgrade?: Upgrade;
  steps: Step[];
}
interface Corpus {
  clock: number;
  cases: CorpusCase[];
}

const corpus = JSON.parse(readFileSync(new URL("../../../../device-client/conformance/corpus.json", import.meta.url), "utf8")) as Corpus;

// `value` (the decoded frame), `canonical` and `note` are for the codec tests and for readers.
const STEP_KEYS = new Set(["send", "text", "expect", "do", "ms", "document", "conn", "value", "canonical", "note"]);
const EXPECTATION_KEYS = new Set([
  "hex",
  "frame",
  "absent",
  "present",
  "msgIncludes",
  "containsHex",
  "close",
  "latest",
  "ts",
  "stored",
  "command",
  "config",
  "attributes",
  "value",
]);

/** A step that checks nothing, or a misspelt key, would pass silently: refuse the case instead. */
function assertWellFormed(step: Step, at: string): void {
  for (const key of Object.keys(step)) assert.ok(STEP_KEYS.has(key), `${at}: unknown step key ${key}`);
  assert.ok(step.send !== undefined || step.expect !== undefined || step.do !== undefined, `${at}: a step that does nothing`);
  if (!step.expect) return;
  const keys = Object.keys(step.expect);
  for (const key of keys) assert.ok(EXPECTATION_KEYS.has(key), `${at}: unknown expectation key ${key}`);
  assert.ok(
    keys.some((key) => !["ts", "absent", "present", "msgIncludes", "value"].includes(key)),
    `${at}: an expectation that checks nothing on its own`,
  );
  if (step.expect.ts !== undefined) assert.ok(step.expect.latest, `${at}: ts is checked only with latest`);
}

/** Setups that leave the hub as it was: such cases share one hub. */
const SHARED_SETUPS = new Set([
  undefined,
  "device-revoked",
  "command-queued",
  "two-commands-queued",
  "config-desired",
  "config-and-command",
]);
/** `{"t":"corpus_sync"}`: an unknown type, answered with an error frame that ends every case's frames. */
const BARRIER = Buffer.from("a161746b636f727075735f73796e63", "hex");

/** The hub's clock: starts at the corpus's T0, runs with real time unless manual (then moves only when a case says). */
class CorpusClock {
  private readonly startedAt = Date.now();
  private advancedMs = 0;
  constructor(private readonly manual: boolean) {}
  readonly now = (): number => corpus.clock + this.advancedMs + (this.manual ? 0 : Date.now() - this.startedAt);
  advance(ms: number): void {
    this.advancedMs += ms;
  }
}

/** A hub for one case (or the shared one), with what the case's setup needs. */
interface CaseHub {
  running: RunningHub;
  clock: CorpusClock;
  store?: ReturnType<typeof gate>;
}

async function startCaseHub(one: CorpusCase | undefined): Promise<CaseHub> {
  const clock = new CorpusClock(one?.clock === "manual");
  let store: ReturnType<typeof gate> | undefined;
  let telemetry: TelemetryStore | undefined;
  const dataDirFor = (dir: string): string => join(dir, "telemetry.db");
  const setup = one?.setup;
  // The documented defaults: the test fixture switches the past side of the timestamp window off.
  const config: HubConfigInput = {
    adminKey: TEST_ADMIN_KEY,
    ...one?.config,
    ingest: { maxPastMs: DEFAULT_CONFIG.ingest.maxPastMs, ...one?.config?.ingest },
  };
  const dataDir = mkdtempSync(join(tmpdir(), "telehub-corpus-"));
  if (setup === "store-gated" || setup === "store-failing") {
    store = gate(new SqliteTelemetryStore(dataDirFor(dataDir)));
    if (setup === "store-failing") {
      store.failing = true;
      store.open();
    }
    telemetry = store;
  } else if (setup === "store-broken") {
    const real = new SqliteTelemetryStore(dataDirFor(dataDir));
    telemetry = Object.create(real) as TelemetryStore;
    telemetry.lastSequence = () => Promise.reject(new Error("store failure injected by the corpus"));
  }
  const running = await startHub(config, dataDir, { now: clock.now, ...(telemetry && { telemetry }) });
  return { running, clock, ...(store && { store }) };
}

/** `actual` has every field of `expected` (recursively for maps; arrays and scalars exactly, -0 ≠ 0). */
function assertContains(actual: unknown, expected: Json, path: string): void {
  if (expected !== null && typeof expected === "object" && !Array.isArray(expected)) {
    assert.ok(actual !== null && typeof actual === "object", `${path}: expected a map, got ${JSON.stringify(actual)}`);
    for (const [key, value] of Object.entries(expected)) assertContains((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
    return;
  }
  assert.deepStrictEqual(actual, expected, path);
}

/** Recorded state settles after the frame that changes it: poll until it holds (bounded), then assert it. */
async function eventuallyContains(read: () => Promise<unknown>, wanted: Json, what: string, whole = false): Promise<void> {
  const check = (actual: unknown): void => (whole ? assert.deepStrictEqual(actual, wanted, what) : assertContains(actual, wanted, what));
  const holds = async (): Promise<boolean> => {
    try {
      check(await read());
      return true;
    } catch {
      return false;
    }
  };
  await eventually(holds, what).catch(() => undefined);
  check(await read());
}

const squash = (hex: string): string => hex.replace(/\s+/g, "");

/** Runs one case's steps; its device, connections, and the last command id seen. */
class CaseRun {
  readonly connections: PeerConnection[] = [];
  private commandId = "";
  private readonly extras: PeerConnection[] = [];

  constructor(
    readonly one: CorpusCase,
    readonly hub: CaseHub,
    readonly deviceId: string,
    readonly token: string,
    readonly transport: CorpusTransport,
  ) {}

  private get running(): RunningHub {
    return this.hub.running;
  }

  private substitute(hex: string): string {
    return squash(hex).replaceAll("<cmd.id>", Buffer.from(this.commandId).toString("hex"));
  }

  async setup(): Promise<void> {
    const setup = this.one.setup === "config-and-command" || this.one.setup === "two-commands-queued" ? "command-queued" : this.one.setup;
    const api = (method: "POST" | "PUT", url: string, body?: unknown) => callApi(this.running.hub, method, url, body);
    if (setup === "device-revoked") assert.equal((await api("POST", `/api/v1/devices/${this.deviceId}/revoke`)).status, 200);
    if (setup === "command-queued") {
      const sent = await api("POST", `/api/v1/devices/${this.deviceId}/commands`, {
        name: "reboot",
        args: { delay: 5, note: null, list: [1, null] },
      });
      assert.equal(sent.status, 201, JSON.stringify(sent.body));
    }
    if (this.one.setup === "two-commands-queued") {
      const second = await api("POST", `/api/v1/devices/${this.deviceId}/commands`, { name: "second", args: { n: 2 } });
      assert.equal(second.status, 201, JSON.stringify(second.body));
    }
    if (setup === "config-desired" || this.one.setup === "config-and-command") {
      const put = await api("PUT", `/api/v1/devices/${this.deviceId}/config`, { document: { interval: 10, extra: null } });
      assert.equal(put.status, 200, JSON.stringify(put.body));
    }
    if (setup === "api-auth-failures") {
      const wrongKey = `${TEST_ADMIN_KEY.slice(0, -4)}nope`;
      for (let i = 0; i < 3; i++) await fetch(`${this.running.url}/api/v1/devices`, { headers: { authorization: `Bearer ${wrongKey}` } });
    }
    if (setup === "auth-failures") {
      for (let i = 0; i < 3; i++) await connectWebSocket(this.running, this.deviceId, this.token, { credentials: "wrong-token" });
    }
    if (setup === "handshake-in-progress" || setup === "other-device-connected") {
      const otherId = `${this.deviceId}-other`;
      const other = await connectWebSocket(this.running, otherId, await createDevice(this.running.url, TEST_ADMIN_KEY, otherId));
      if (isRefused(other)) assert.fail(`the setup's device was refused: ${other.code}`);
      this.extras.push(other);
      if (setup === "other-device-connected") {
        other.send(Buffer.from("a261746568656c6c6f617601", "hex"), true);
        await other.next("the setup device's welcome");
      }
    }
  }

  async open(): Promise<void> {
    const refused = this.one.upgrade?.refused;
    const outcome = await this.transport.connect(this.running, this.deviceId, this.token, this.one.upgrade);
    const isRefusal = (value: PeerConnection | Refused): value is Refused => "status" in value;
    if (refused) {
      assert.ok(isRefusal(outcome), "the upgrade was accepted, the corpus says it is refused");
      assert.equal(outcome.status, refused.status, "HTTP status");
      assert.equal(outcome.code, refused.code, "X-Telehub-Error");
      if (refused.retryAfter) assert.ok(outcome.retryAfter, "Retry-After");
      return;
    }
    if (isRefusal(outcome)) assert.fail(`the upgrade was refused: ${outcome.status} ${outcome.code}`);
    this.connections.push(outcome);
  }

  async run(): Promise<void> {
    for (const [index, step] of this.one.steps.entries()) {
      const at = `step ${index + 1}`;
      assertWellFormed(step, at);
      const connection = this.connections[step.conn ?? this.connections.length - 1] as PeerConnection;
      if (step.send !== undefined) connection.send(Buffer.from(this.substitute(step.send), "hex"), !step.text);
      else if (step.expect) await this.check(connection, step.expect, at);
      else if (step.do) await this.act(step);
    }
    // Whatever the hub sent and no step expected is a failure, on every connection.
    for (const [i, connection] of this.connections.entries()) {
      const left = connection.frames[0];
      assert.equal(left, undefined, `connection ${i + 1}: an unexpected frame: ${left && JSON.stringify(decodeFrame(left))}`);
    }
    const last = this.connections.at(-1);
    if (!last || last.closed || this.one.upgrade?.refused || this.one.barrier === false) return;
    // Nothing the corpus did not expect may come before the answer to the barrier.
    last.send(BARRIER, true);
    const answer = decodeFrame(await last.next("the barrier's answer"));
    assert.deepEqual([answer.t, answer.code], ["error", "TH_FRAME_UNKNOWN_TYPE"], `an unexpected frame: ${JSON.stringify(answer)}`);
  }

  private async check(connection: PeerConnection, expect: Expectation, at: string): Promise<void> {
    if (expect.close) {
      const closed = await connection.close(`${at}: close ${expect.close.code}`);
      const frame = connection.frames[0];
      assert.equal(frame, undefined, `${at}: a frame before the close: ${frame && JSON.stringify(decodeFrame(frame))}`);
      assert.deepEqual(closed, expect.close, `${at}: close code and reason`);
      return;
    }
    if (expect.hex !== undefined || expect.frame !== undefined) {
      const bytes = await connection.next(`${at}: ${JSON.stringify(expect.frame ?? expect.hex)}`);
      const frame = decodeFrame(bytes);
      if (frame.t === "cmd" && typeof frame.id === "string") this.commandId = frame.id;
      if (expect.hex !== undefined)
        assert.equal(bytes.toString("hex"), this.substitute(expect.hex), `${at}: bytes of ${JSON.stringify(frame)}`);
      if (expect.frame) assertContains(frame, expect.frame, `${at}: frame`);
      for (const key of expect.absent ?? []) assert.ok(!(key in frame), `${at}: ${key} must be absent from ${JSON.stringify(frame)}`);
      for (const key of expect.present ?? []) assert.ok(key in frame, `${at}: ${key} must be present in ${JSON.stringify(frame)}`);
      if (expect.msgIncludes) assert.match(String(frame.msg), new RegExp(expect.msgIncludes), `${at}: msg`);
      if (expect.containsHex)
        assert.ok(bytes.toString("hex").includes(squash(expect.containsHex)), `${at}: bytes ${bytes.toString("hex")}`);
      return;
    }
    await connection.flush?.();
    await this.checkState(expect, at);
  }

  /** Expectations about what the hub stored or recorded (not on the wire). */
  private async checkState(expect: Expectation, at: string): Promise<void> {
    const { hub } = this.running;
    if (expect.latest) {
      const latest = await hub.telemetry.latest(this.deviceId);
      const byMetric = Object.fromEntries(latest.map((v) => [v.metric, v]));
      for (const [metric, value] of Object.entries(expect.latest)) {
        assert.deepStrictEqual(byMetric[metric]?.value, value, `${at}: latest ${metric}`);
        if (expect.ts !== undefined) assert.equal(byMetric[metric]?.ts, expect.ts, `${at}: ts of ${metric}`);
      }
    }
    if (expect.stored !== undefined) assert.equal(await hub.telemetry.countValues(this.deviceId), expect.stored, `${at}: values stored`);
    const api = async (url: string) => (await callApi(hub, "GET", url)).body;
    const device = `/api/v1/devices/${encodeURIComponent(this.deviceId)}`;
    if (expect.command) {
      const list = `/api/v1/commands?deviceId=${encodeURIComponent(this.deviceId)}`;
      await eventuallyContains(async () => (await api(list)).data[0], expect.command, `${at}: command`);
    }
    if (expect.config) await eventuallyContains(() => api(`${device}/config`), expect.config, `${at}: config`);
    // Attributes are compared whole: a hello replaces them.
    if (expect.attributes)
      await eventuallyContains(async () => (await api(device)).attributes, expect.attributes, `${at}: attributes`, true);
  }

  private async act(step: Step): Promise<void> {
    const { hub } = this.running;
    switch (step.do) {
      case "connect":
        await this.open();
        return;
      case "advance-clock":
        this.hub.clock.advance(step.ms ?? 0);
        return;
      case "open-store":
        this.hub.store?.open();
        return;
      case "store-recovers":
        if (this.hub.store) this.hub.store.failing = false;
        return;
      case "stop-hub":
        await this.running.stop();
        return;
      case "set-config":
        assert.equal(
          (await callApi(hub, "PUT", `/api/v1/devices/${encodeURIComponent(this.deviceId)}/config`, { document: step.document })).status,
          200,
        );
        return;
      case "revoke-device":
        assert.equal((await callApi(hub, "POST", `/api/v1/devices/${encodeURIComponent(this.deviceId)}/revoke`)).status, 200);
        return;
      case "delete-device":
        assert.equal((await callApi(hub, "DELETE", `/api/v1/devices/${encodeURIComponent(this.deviceId)}`)).status, 204);
        return;
      default:
        assert.fail(`the runner has no action ${step.do}`);
    }
  }

  dispose(): void {
    for (const connection of [...this.connections, ...this.extras]) connection.terminate();
  }
}

/** Configuration that concerns one device at a time: cases with the same such configuration share a hub. */
const PER_DEVICE_CONFIG = new Set(["limits", "ingest.maxMetricsPerDevice", "ingest.maxFutureMs", "ingest.maxPastMs"]);

/** The key of the hub a case can share, or undefined when it needs one of its own. */
function sharedHubKey(one: CorpusCase): string | undefined {
  if (one.clock !== undefined || !SHARED_SETUPS.has(one.setup) || one.steps.some((s) => s.do === "stop-hub")) return undefined;
  const keys = Object.entries(one.config ?? {}).flatMap(([section, values]) =>
    section === "ingest" ? Object.keys(values as object).map((key) => `ingest.${key}`) : [section],
  );
  return keys.every((key) => PER_DEVICE_CONFIG.has(key)) ? JSON.stringify(one.config ?? {}) : undefined;
}

// Cases are independent (a device each, hubs they share touched per device only): run a few at once.
/** Register the corpus's cases as tests over `transport`. */
export function playCorpus(transport: CorpusTransport, title: string): void {
  test("the corpus holds cases", () => assert.ok(corpus.cases.length > 100, `${corpus.cases.length} cases`));

  describe(title, { concurrency: 4 }, () => {
    const shared = new Map<string, Promise<CaseHub>>();
    const own: CaseHub[] = [];
    let devices = 0;

    after(async () => {
      for (const hub of own) await hub.running.dispose();
      for (const hub of shared.values()) await (await hub).running.dispose();
    });

    for (const one of corpus.cases) {
      const skip = transport.skip(one);
      test(`${one.id}: ${one.rule}`, { ...(skip && { skip }) }, async () => {
        let hub: CaseHub;
        const key = sharedHubKey(one);
        if (key !== undefined) {
          if (!shared.has(key)) shared.set(key, startCaseHub(one.config === undefined ? undefined : { ...one, setup: undefined }));
          hub = await (shared.get(key) as Promise<CaseHub>);
        } else {
          hub = await startCaseHub(one);
          own.push(hub);
        }
        devices++;
        const deviceId = one.upgrade?.deviceId ? `c${devices}-${one.upgrade.deviceId}` : `corpus-${devices}`;
        const token = await createDevice(hub.running.url, TEST_ADMIN_KEY, deviceId);
        const run = new CaseRun(one, hub, deviceId, token, transport);
        try {
          await run.setup();
          await run.open();
          await run.run();
        } finally {
          run.dispose();
        }
      });
    }
  });
}
