import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { ClusterNotices } from "./cluster-notices.js";

/** The caches the instances of a cluster keep in step: notification channels, the profiles matched at hello. */
export type SharedCacheName = "channels" | "profiles" | "rules";

/**
 * Caches of stored records that each hub keeps in memory. A single node is the only writer of its
 * records and updates its caches itself ({@link LOCAL_CACHES}: nothing to tell); in a cluster an
 * instance that changed a record tells the others, which read theirs again ({@link ClusterCacheNotices}).
 */
export interface SharedCaches {
  /** This instance changed records `name` caches (after the change is stored): the others read theirs again. */
  changed(name: SharedCacheName): void;
  /** Call `reload` when another instance changed `name`'s records, or when such a notice may have been missed. Answers how to stop. */
  onChanged(name: SharedCacheName, reload: () => void): () => void;
}

/** A single node's caches: nobody else to tell. */
export const LOCAL_CACHES: SharedCaches = {
  changed: () => undefined,
  onChanged: () => () => undefined,
};

/**
 * The cluster's cache notices: a core-NATS notice `{ cache }` on `subject` (`<p>.caches`) per
 * change, received by every other instance (at most once, like every notice). A notice lost while
 * NATS was away is made up for: after each reconnection every cache is read again.
 */
export class ClusterCacheNotices implements SharedCaches {
  private readonly reloads = new Map<SharedCacheName, Set<() => void>>();
  private readonly subscription: Subscription;
  private readonly encoder = new TextEncoder();
  private stopped = false;

  constructor(
    private readonly notices: ClusterNotices,
    nats: NatsConnection,
    private readonly subject: string,
  ) {
    this.subscription = notices.subscribe(subject, (msg) => this.reload(msg.json<{ cache: SharedCacheName }>().cache));
    void this.followReconnections(nats);
  }

  changed(name: SharedCacheName): void {
    this.notices.publish(this.subject, this.encoder.encode(JSON.stringify({ cache: name })), "event");
  }

  onChanged(name: SharedCacheName, reload: () => void): () => void {
    let listeners = this.reloads.get(name);
    if (!listeners) {
      listeners = new Set();
      this.reloads.set(name, listeners);
    }
    listeners.add(reload);
    return () => listeners.delete(reload);
  }

  /** Stop receiving notices (before the connection closes). */
  close(): void {
    this.stopped = true;
    this.subscription.unsubscribe();
  }

  private reload(name: SharedCacheName): void {
    for (const reload of this.reloads.get(name) ?? []) reload();
  }

  private async followReconnections(nats: NatsConnection): Promise<void> {
    for await (const status of nats.status()) {
      if (this.stopped) return;
      if (status.type === "reconnect") for (const name of this.reloads.keys()) this.reload(name);
    }
  }
}
