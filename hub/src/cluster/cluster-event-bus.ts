import type { Subscription } from "@nats-io/transport-node";
import { type CommandEvent, type EventBus, type HubEvent, InProcessEventBus } from "../events/event-bus.js";
import type { ClusterNotices } from "./cluster-notices.js";
import { deviceToken } from "./device-token.js";

/**
 * The event bus of a cluster instance: local listeners get every event published here at once
 * (as with `InProcessEventBus`: synchronously, a throwing listener does not stop the others) and
 * the events other instances published, from NATS (JSON, at most once); an instance never gets
 * its own event twice. Every `HubEvent` is plain JSON (records with `null` for absent values,
 * finite numbers; secrets already redacted), so it arrives as it was sent.
 *
 * Events reach an instance only while something there listens: `<events>.>` while it has
 * listeners of every event (the live channel, while a dashboard is connected), and
 * `<events>.command.<token>` while it waits for that command (an API call with `wait`), so a
 * command's four steps do not travel to every instance.
 */
export class ClusterEventBus implements EventBus {
  /** Listeners of every event. */
  private readonly local: InProcessEventBus;
  /** Listeners of one command each (`subscribeCommand`). */
  private readonly waiting: InProcessEventBus;
  private readonly published: InProcessEventBus;
  /** NATS subscriptions by subject, each held while some local listener needs it. */
  private readonly held = new Map<string, { holders: number; subscription: Subscription }>();
  /**
   * The events published on this instance only, for what must happen once in the cluster per
   * event (a webhook): each event is published once, on the instance where it happened.
   */
  readonly own: EventBus;
  private readonly encoder = new TextEncoder();

  /** `subject`: the cluster's `names.events`, under which each event gets its own subject. */
  constructor(
    private readonly notices: ClusterNotices,
    private readonly subject: string,
    onListenerError: (error: unknown) => void = () => undefined,
  ) {
    this.local = new InProcessEventBus(onListenerError);
    this.waiting = new InProcessEventBus(onListenerError);
    this.published = new InProcessEventBus(onListenerError);
    this.own = {
      publish: (event) => this.publish(event),
      subscribe: (listener) => this.published.subscribe(listener),
      subscribeCommand: (commandId, listener) => this.published.subscribeCommand(commandId, listener),
    };
  }

  /** To local listeners now, and to the other instances through NATS (never throws, never waits). */
  publish(event: HubEvent): void {
    this.local.publish(event);
    if (event.type === "command.updated") this.waiting.publish(event);
    this.published.publish(event);
    this.notices.publish(this.subjectOf(event), this.encoder.encode(JSON.stringify(event)), "event");
  }

  subscribe(listener: (event: HubEvent) => void): () => void {
    const unsubscribe = this.local.subscribe(listener);
    const release = this.hold(`${this.subject}.>`, this.local);
    return () => {
      unsubscribe();
      release();
    };
  }

  subscribeCommand(commandId: string, listener: (event: CommandEvent) => void): () => void {
    const unsubscribe = this.waiting.subscribeCommand(commandId, listener);
    // Held before the caller goes on: the subscription reaches NATS ahead of anything this
    // instance sends afterwards (the command itself, routed to the device's instance).
    const release = this.hold(this.commandSubject(commandId), this.waiting);
    return () => {
      unsubscribe();
      release();
    };
  }

  /** Stop receiving the other instances' events (before the connection closes). */
  close(): void {
    for (const { subscription } of this.held.values()) subscription.unsubscribe();
    this.held.clear();
  }

  /** Subscribe to `subject` (once, however many hold it), handing its events to `to`; answers how to let go. */
  private hold(subject: string, to: InProcessEventBus): () => void {
    let held = this.held.get(subject);
    if (!held) {
      held = { holders: 0, subscription: this.notices.subscribe(subject, (msg) => to.publish(msg.json<HubEvent>())) };
      this.held.set(subject, held);
    }
    const entry = held;
    entry.holders++;
    let holding = true;
    return () => {
      if (!holding) return;
      holding = false;
      if (--entry.holders > 0 || this.held.get(subject) !== entry) return;
      this.held.delete(subject);
      entry.subscription.unsubscribe();
    };
  }

  private subjectOf(event: HubEvent): string {
    if (event.type === "command.updated") return this.commandSubject(event.command.id);
    return `${this.subject}.${event.type === "alarm.updated" ? "alarm" : "config"}`;
  }

  private commandSubject(commandId: string): string {
    return `${this.subject}.command.${deviceToken(commandId)}`;
  }
}
