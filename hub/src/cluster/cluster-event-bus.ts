import type { Subscription } from "@nats-io/transport-node";
import { type EventBus, type HubEvent, InProcessEventBus } from "../events/event-bus.js";
import type { ClusterNotices } from "./cluster-notices.js";

/**
 * The event bus of a cluster instance: local listeners get every event published here at once
 * (as with `InProcessEventBus`: synchronously, a throwing listener does not stop the others) and
 * every event another instance published, from NATS (`names.events`, JSON, at most once); an
 * instance never gets its own event twice. Every `HubEvent` is plain JSON (records with `null`
 * for absent values, finite numbers; secrets already redacted), so it arrives as it was sent.
 */
export class ClusterEventBus implements EventBus {
  private readonly local: InProcessEventBus;
  private readonly published: InProcessEventBus;
  /**
   * The events published on this instance only, for what must happen once in the cluster per
   * event (a webhook): each event is published once, on the instance where it happened.
   */
  readonly own: EventBus;
  private readonly encoder = new TextEncoder();
  private readonly subscription: Subscription;

  constructor(
    private readonly notices: ClusterNotices,
    private readonly subject: string,
    onListenerError: (error: unknown) => void = () => undefined,
  ) {
    this.local = new InProcessEventBus(onListenerError);
    this.published = new InProcessEventBus(onListenerError);
    this.own = {
      publish: (event) => this.publish(event),
      subscribe: (listener) => this.published.subscribe(listener),
    };
    this.subscription = notices.subscribe(subject, (msg) => this.local.publish(msg.json<HubEvent>()));
  }

  /** To local listeners now, and to the other instances through NATS (never throws, never waits). */
  publish(event: HubEvent): void {
    this.local.publish(event);
    this.published.publish(event);
    this.notices.publish(this.subject, this.encoder.encode(JSON.stringify(event)), "event");
  }

  subscribe(listener: (event: HubEvent) => void): () => void {
    return this.local.subscribe(listener);
  }

  /** Stop receiving the other instances' events (before the connection closes). */
  close(): void {
    this.subscription.unsubscribe();
  }
}
