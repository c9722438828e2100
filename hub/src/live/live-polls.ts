import { randomBytes } from "node:crypto";
import type { LiveHub, LiveRefusal } from "./live-hub.js";
import { LivePoll, type LivePollAnswer } from "./live-poll.js";
import type { LiveSubscriber } from "./live-subscriber.js";

export interface LivePollOptions {
  /** Longest a poll is held when there is no news (a longer `wait` is cut to this). */
  maxPollWaitMs: number;
  /** A subscription with no poll waiting ends this long after its last answer. */
  pollExpiryMs: number;
}

/** `<subscription id>.<number of the last message the client has>`. */
export const CURSOR_PATTERN = "^[A-Za-z0-9_-]{1,64}\\.[0-9]{1,15}$";

/** Whether two owner lists name the same caller. */
function sameOwners(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((owner) => b.includes(owner));
}

/**
 * The live channel's long-poll subscriptions, by the id their cursors carry. A poll without a
 * cursor, or with one this hub does not know for this caller (the subscription expired, the hub
 * restarted), starts a subscription and is answered at once with its first cursor (`resync` when
 * a cursor was given: news in between is lost). A poll with a known cursor takes that
 * subscription's topics as its own and is answered or held by the subscription ({@link LivePoll}).
 * Subscriptions count against `live.maxSubscribers` and `live.maxSubscribersPerCaller` like
 * WebSocket and SSE connections.
 */
export class LivePolls {
  private readonly subscriptions = new Map<string, { poll: LivePoll; subscriber: LiveSubscriber }>();

  constructor(
    private readonly live: LiveHub,
    private readonly options: LivePollOptions,
  ) {}

  /**
   * One poll of `owners` (see `liveOwnersOf`) for `topics`: `answer` is called once, now or
   * later. Returns what to call if the request closes before it is answered, or why no
   * subscription could be started.
   */
  poll(
    owners: readonly string[],
    topics: readonly string[],
    cursor: string | undefined,
    waitMs: number,
    answer: (answer: LivePollAnswer) => void,
  ): (() => void) | LiveRefusal {
    const [id = "", seen = ""] =
      cursor === undefined ? [] : [cursor.slice(0, cursor.lastIndexOf(".")), cursor.slice(cursor.lastIndexOf(".") + 1)];
    const known = this.subscriptions.get(id);
    if (known && sameOwners(known.poll.owners, owners)) {
      const { poll, subscriber } = known;
      const kept = subscriber.subscribedTopics();
      subscriber.unsubscribe(kept.filter((topic) => !topics.includes(topic)));
      subscriber.subscribe(topics.filter((topic) => !kept.includes(topic)));
      if (poll.poll(Number(seen), Math.min(waitMs, this.options.maxPollWaitMs), answer)) {
        // A backlog kept while no poll waited goes out now rather than at the hub's next tick.
        subscriber.deliver(undefined);
        return () => poll.abandon(answer);
      }
    }
    return this.start(owners, topics, cursor !== undefined, answer);
  }

  /** How many subscriptions there are. */
  get size(): number {
    return this.subscriptions.size;
  }

  /**
   * The hub is stopping: end every subscription, a waiting poll answered with `closed`. The live
   * hub closes its subscribers first, but a dashboard may poll again before the HTTP server stops
   * taking requests, and such a poll must not hold the server open for its `wait`.
   */
  close(): void {
    for (const { poll } of [...this.subscriptions.values()]) poll.end("TH_HUB_STOPPING");
  }

  private start(
    owners: readonly string[],
    topics: readonly string[],
    resync: boolean,
    answer: (answer: LivePollAnswer) => void,
  ): (() => void) | LiveRefusal {
    const poll = new LivePoll(randomBytes(18).toString("base64url"), owners, this.options.pollExpiryMs, (ended) => {
      const entry = this.subscriptions.get(ended.id);
      if (!entry) return;
      this.subscriptions.delete(ended.id);
      this.live.detach(entry.subscriber);
    });
    const subscriber = this.live.attach(poll, owners);
    if (typeof subscriber === "string") {
      poll.end();
      return subscriber;
    }
    this.subscriptions.set(poll.id, { poll, subscriber });
    subscriber.subscribe(topics);
    answer({ cursor: poll.cursor, updates: [], ...(resync && { resync: true }) });
    return () => {};
  }
}
