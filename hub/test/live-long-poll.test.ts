import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TelehubClient } from "@telehub/device-client";
import type { LiveUpdate } from "../src/live/live-update.js";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { createUser, logIn, sessionHeaders } from "./support/sessions.js";

/** A long poll's answer (docs/api.md, "Live channel"). */
interface PollAnswer {
  cursor: string;
  updates: LiveUpdate[];
  resync?: boolean;
  closed?: string;
}

describe("live channel by long polling", () => {
  let running: RunningHub;
  const closers: (() => Promise<void> | void)[] = [];

  before(async () => {
    // Short waits and expiry: the tests wait for them to pass.
    running = await startHub({ adminKey: TEST_ADMIN_KEY, live: { maxPollWaitMs: 400, pollExpiryMs: 1_500, maxSubscribersPerCaller: 6 } });
  });
  after(async () => {
    for (const close of closers) await close();
    await running.dispose();
  });

  async function poll(
    query: { topics: string; cursor?: string; wait?: number },
    key = TEST_ADMIN_KEY,
    signal?: AbortSignal,
  ): Promise<{ status: number; body: PollAnswer; headers: Headers }> {
    const params = new URLSearchParams({ topics: query.topics });
    if (query.cursor !== undefined) params.set("cursor", query.cursor);
    if (query.wait !== undefined) params.set("wait", String(query.wait));
    const response = await fetch(`${running.url}/api/v1/live/poll?${params}`, { headers: { authorization: `Bearer ${key}` }, signal });
    return { status: response.status, body: (await response.json()) as PollAnswer, headers: response.headers };
  }

  async function device(id: string): Promise<TelehubClient> {
    const token = await running.provision(id);
    const client = new TelehubClient({ url: running.url, deviceId: id, token, maxBatchReadings: 1, batchIntervalMs: 20 });
    closers.push(() => client.close({ flush: false }));
    await client.connect();
    return client;
  }

  const values = (answer: PollAnswer, deviceId: string, metric: string): unknown[] =>
    answer.updates.flatMap((u) => u.telemetry.filter((v) => v.deviceId === deviceId && v.metric === metric).map((v) => v.value));

  test("a held poll is answered with the reading that arrives; the next cursor does not repeat it, the same cursor does", async () => {
    const first = await poll({ topics: "telemetry:lp-1" });
    assert.equal(first.status, 200);
    assert.deepEqual(first.body.updates, [], "the first poll answers at once with the subscription's cursor");
    assert.equal(first.body.resync, undefined);
    assert.equal(first.headers.get("cache-control"), "no-store");
    const client = await device("lp-1");
    const held = poll({ topics: "telemetry:lp-1", cursor: first.body.cursor, wait: 60_000 });
    client.send({ temperature: 21.5 }, 1_000);
    const answered = await held;
    assert.deepEqual(values(answered.body, "lp-1", "temperature"), [21.5]);
    assert.equal(answered.body.updates[0]?.type, "update", "the same update objects as the SSE stream");
    assert.notEqual(answered.body.cursor, first.body.cursor);
    // The answer was lost on its way (say): the same cursor gets the same updates again.
    const again = await poll({ topics: "telemetry:lp-1", cursor: first.body.cursor });
    assert.deepEqual(again.body, answered.body);
    // From the new cursor: nothing repeated, the wait (asked 60 s, capped at 400 ms) passes with nothing.
    const quiet = await poll({ topics: "telemetry:lp-1", cursor: answered.body.cursor, wait: 60_000 });
    assert.deepEqual(quiet.body, { cursor: answered.body.cursor, updates: [] });
  });

  test("between polls telemetry is coalesced to the newest value and command states queue in order", async () => {
    const client = await device("lp-2");
    client.onCommand("go", () => "went");
    const start = await poll({ topics: "telemetry:lp-2,commands:lp-2" });
    for (let i = 1; i <= 20; i++) client.send({ n: i }, 10_000 + i);
    await client.flush(5_000);
    const sent = await callApi(running.hub, "POST", "/api/v1/devices/lp-2/commands?wait=5000", { name: "go" });
    assert.equal(sent.body.state, "succeeded");
    const answer = await poll({ topics: "telemetry:lp-2,commands:lp-2", cursor: start.body.cursor, wait: 1_000 });
    assert.deepEqual(values(answer.body, "lp-2", "n"), [20], "only the newest value of the twenty");
    const states = answer.body.updates.flatMap((u) => u.commands).map((c) => c.state);
    assert.deepEqual(states, ["queued", "sent", "delivered", "succeeded"]);
  });

  test("a poll cut while held loses nothing; a second poll answers the held one at once with nothing", async () => {
    const client = await device("lp-3");
    const start = await poll({ topics: "telemetry:lp-3" });
    const abort = new AbortController();
    const cut = poll({ topics: "telemetry:lp-3", cursor: start.body.cursor, wait: 60_000 }, TEST_ADMIN_KEY, abort.signal).catch(
      (error: Error) => error.name,
    );
    // Let the request reach the hub and be held, then cut it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    abort.abort();
    assert.equal(await cut, "AbortError");
    client.send({ v: 1 }, 1_000);
    await client.flush(5_000);
    const first = poll({ topics: "telemetry:lp-3", cursor: start.body.cursor, wait: 60_000 });
    const got = await first;
    assert.deepEqual(values(got.body, "lp-3", "v"), [1], "the reading sent after the cut arrives");

    const held = poll({ topics: "telemetry:lp-3", cursor: got.body.cursor, wait: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = poll({ topics: "telemetry:lp-3", cursor: got.body.cursor, wait: 60_000 });
    assert.deepEqual((await held).body, { cursor: got.body.cursor, updates: [] }, "one poll waits per subscription");
    client.send({ v: 2 }, 2_000);
    assert.deepEqual(values((await second).body, "lp-3", "v"), [2]);
  });

  test("a poll's topics replace the subscription's", async () => {
    const a = await device("lp-4a");
    const b = await device("lp-4b");
    const start = await poll({ topics: "telemetry:lp-4a" });
    const held = poll({ topics: "telemetry:lp-4b", cursor: start.body.cursor, wait: 60_000 });
    a.send({ x: 1 }, 1_000);
    await a.flush(5_000);
    b.send({ x: 2 }, 1_000);
    const answer = await held;
    assert.deepEqual(values(answer.body, "lp-4b", "x"), [2]);
    assert.deepEqual(values(answer.body, "lp-4a", "x"), []);
  });

  test("an unknown, expired or another caller's cursor starts a new subscription with resync", async () => {
    const unknown = await poll({ topics: "presence:*", cursor: "nosuchsubscription.3" });
    assert.equal(unknown.status, 200);
    assert.equal(unknown.body.resync, true);
    assert.deepEqual(unknown.body.updates, []);
    const viewer = await callApi(running.hub, "POST", "/api/v1/api-keys", { name: "wallboard", role: "viewer" });
    const theirs = await poll({ topics: "presence:*", cursor: unknown.body.cursor }, viewer.body.key);
    assert.equal(theirs.body.resync, true, "a cursor is only good for the caller that opened it");
    assert.notEqual(theirs.body.cursor.split(".")[0], unknown.body.cursor.split(".")[0]);
    const subscribers = async () => (await running.hub.metrics.liveSubscribers.get()).values[0]?.value;
    await eventually(async () => (await subscribers()) === 0, "subscriptions with no poll waiting expire", 10_000);
    const expired = await poll({ topics: "presence:*", cursor: unknown.body.cursor });
    assert.equal(expired.body.resync, true);
  });

  test("a dashboard session polls with its cookie; logging out answers its held poll with closed TH_API_SESSION_ENDED", async () => {
    const user = await createUser(running.hub, TEST_ADMIN_KEY, "poller", "viewer");
    const session = await logIn(running.hub, user.username, user.password);
    const withCookie = async (query: string): Promise<PollAnswer> => {
      const response = await fetch(`${running.url}/api/v1/live/poll?topics=presence:*${query}`, { headers: { cookie: session.cookie } });
      assert.equal(response.status, 200);
      return (await response.json()) as PollAnswer;
    };
    const start = await withCookie("");
    const held = withCookie(`&cursor=${start.cursor}&wait=60000`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const logout = await running.hub.http.inject({ method: "DELETE", url: "/api/v1/session", headers: sessionHeaders(session) });
    assert.equal(logout.statusCode, 204);
    assert.deepEqual(await held, { cursor: start.cursor, updates: [], closed: "TH_API_SESSION_ENDED" });
  });

  test("revoking the key answers its held poll with closed; refusals carry the API's codes", async () => {
    const created = await callApi(running.hub, "POST", "/api/v1/api-keys", { name: "poller", role: "viewer" });
    const { key, apiKey } = created.body as { key: string; apiKey: { id: string } };
    const start = await poll({ topics: "presence:*" }, key);
    const held = poll({ topics: "presence:*", cursor: start.body.cursor, wait: 60_000 }, key);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await callApi(running.hub, "DELETE", `/api/v1/api-keys/${apiKey.id}`)).status, 204);
    assert.equal((await held).body.closed, "TH_API_KEY_REVOKED");
    assert.equal((await poll({ topics: "presence:*", cursor: start.body.cursor }, key)).status, 401);

    const bad = await poll({ topics: "weather:*" });
    assert.equal(bad.status, 400);
    assert.equal((bad.body as unknown as { error: { code: string } }).error.code, "TH_API_VALIDATION");
    const badWait = await fetch(`${running.url}/api/v1/live/poll?topics=presence:*&wait=soon`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
    });
    assert.equal(badWait.status, 400);
    const other = await callApi(running.hub, "POST", "/api/v1/api-keys", { name: "greedy", role: "viewer" });
    const answers = [];
    for (let i = 0; i < 7; i++) answers.push(await poll({ topics: "presence:*" }, other.body.key));
    // Keys made with the admin key share its user, who may hold others' subscriptions still: at most six, then refused.
    assert.equal(answers[0]?.status, 200);
    assert.equal(answers[6]?.status, 429, "live.maxSubscribersPerCaller counts poll subscriptions");
    assert.equal((answers[6]?.body as unknown as { error?: { code: string } } | undefined)?.error?.code, "TH_API_LIVE_CALLER_FULL");
  });
});

test("a poll held when the hub stops is answered at once with closed TH_HUB_STOPPING", async () => {
  // Polls are held for up to a minute here: only the stop can answer them.
  const running = await startHub({ adminKey: TEST_ADMIN_KEY, live: { maxPollWaitMs: 60_000 } });
  try {
    const headers = { authorization: `Bearer ${TEST_ADMIN_KEY}` };
    const poll = async (cursor?: string): Promise<PollAnswer> => {
      const query = cursor === undefined ? "" : `&cursor=${cursor}&wait=60000`;
      return (await (await fetch(`${running.url}/api/v1/live/poll?topics=presence:*${query}`, { headers })).json()) as PollAnswer;
    };
    const first = await poll();
    const held = poll(first.cursor);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The HTTP server's close alone (the live hub untouched) ends the subscriptions: a poll that
    // came in after the live hub closed does not hold the server open for its wait.
    await running.hub.http.close();
    assert.deepEqual(await held, { cursor: first.cursor, updates: [], closed: "TH_HUB_STOPPING" });
  } finally {
    await running.dispose();
  }
});
