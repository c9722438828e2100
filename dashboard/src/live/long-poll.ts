import type { LiveUpdate } from "./live-types.js";
import { type LiveCredential, type LiveTransport, lifeOf, type TransportEvents } from "./transports.js";

/** A long poll's answer (docs/api.md, "Live channel"). */
interface PollAnswer {
  cursor: string;
  updates: LiveUpdate[];
  resync?: boolean;
  closed?: string;
}

/** What a `resync` answer is handed on as: updates were lost, so pages reload as after `dropped` events. */
const LOST: LiveUpdate = { type: "update", telemetry: [], commands: [], presence: [], config: [], alarms: [], dropped: 1 };

/** Extra time a held poll may take beyond its `wait` before the client gives up on it (a proxy that swallowed it). */
const ANSWER_GRACE_MS = 10_000;

/**
 * Long polling (`GET /api/v1/live/poll`), for where a proxy holds event streams back: one
 * request at a time, each answered with the updates after its cursor, or held by the hub up to
 * `waitMs`. The first poll (no cursor) starts the subscription and is answered at once: the
 * connection is open. A change of topics cuts the held poll and asks again from the same cursor
 * (the hub keeps what it had not confirmed, so nothing is lost); a failed poll ends the
 * transport, and the live client reconnects (a new subscription) as after any loss.
 */
export function openLongPoll(
  url: string,
  credential: LiveCredential,
  topics: () => string[],
  waitMs: number,
  events: TransportEvents,
): LiveTransport {
  const life = lifeOf(events);
  let current: AbortController | undefined;
  let cursor: string | undefined;
  let closedBecause: string | undefined;
  /** `resubscribe` cut the poll under way: its error is not a failure. */
  let retopic = false;

  const pollOnce = async (): Promise<PollAnswer> => {
    const abort = new AbortController();
    current = abort;
    const params = new URLSearchParams({ topics: topics().join(",") });
    if (cursor !== undefined) params.set("cursor", cursor);
    if (cursor !== undefined) params.set("wait", String(waitMs));
    const giveUp = setTimeout(() => abort.abort(), waitMs + ANSWER_GRACE_MS);
    try {
      const response = await fetch(`${url}?${params}`, {
        headers: { Accept: "application/json", ...(credential.kind === "key" && { Authorization: `Bearer ${credential.key}` }) },
        credentials: credential.kind === "key" ? "omit" : "same-origin",
        cache: "no-store",
        signal: abort.signal,
      });
      if (!response.ok) throw new Error(`live poll answered ${response.status}`);
      return (await response.json()) as PollAnswer;
    } finally {
      clearTimeout(giveUp);
    }
  };

  const run = async (): Promise<void> => {
    while (!life.ended) {
      retopic = false;
      let answer: PollAnswer;
      try {
        answer = await pollOnce();
      } catch (error) {
        // Cut on purpose to send new topics: ask again from the same cursor.
        if (retopic && !life.ended) continue;
        throw error;
      }
      const first = cursor === undefined;
      cursor = answer.cursor;
      if (first) {
        life.opened = true;
        events.open();
      } else if (answer.resync) events.update(LOST);
      for (const update of answer.updates) events.update(update);
      if (answer.closed) {
        closedBecause = answer.closed;
        return;
      }
    }
  };

  run().then(
    () => life.end(closedBecause),
    () => life.end(closedBecause),
  );
  return {
    resubscribe() {
      if (!life.opened) return false;
      retopic = true;
      current?.abort();
      return true;
    },
    close() {
      life.ended = true;
      current?.abort();
    },
  };
}
