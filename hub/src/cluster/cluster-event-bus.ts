import type { Msg, Subscription } from "@nats-io/transport-node";
import { type CommandEvent, commandListener, type EventBus, type HubEvent, InProcessEventBus } from "../events/event-bus.js";
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
  private readonly local: InProcessEventBus;
  private readonly published: InProcessEventBus;
  /** Listeners of one command each, by command id, with the NATS subscription to its subject. */
  private readonly commands = new Map<string, { listeners: Set<(event: CommandEvent) => void>; subscription: Subscription }>();
  /** The subscription to every event, held while {@link local} has listeners. */
  private everything: Subscription | undefined;
  private listenersOfEverything = 0;
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
    private readonly onListenerError: (error: unknown) => void = () => undefined,
  ) {
    this.local = new InProcessEventBus(onListenerError);
    this.published = new InProcessEventBus(onListenerError);
    this.own = {
      publish: (event) => this.publish(event),
      subscribe: (listener) => this.published.subscribe(listener),
      subscribeCommand: (commandId, listener) => this.published.subscribe(commandListener(commandId, listener)),
    };
  }

  /** To local listeners now, and to the other instances through NATS (never throws, never waits). */
  publish(event: HubEvent): void {
    this.local.publish(event);
    if (event.type === "command.updated") this.toCommandListeners(event);
    this.published.publish(event);
    this.notices.publish(this.subjectOf(event), this.encoder.encode(JSON.stringify(event)), "event");
  }

  subscribe(listener: (event: HubEvent) => void): () => void {
    const unsubscribe = this.local.subscribe(listener);
    if (this.listenersOfEverything++ === 0) {
      this.everything = this.notices.subscribe(`${this.subject}.>`, (msg) => this.local.publish(msg.json<HubEvent>()));
    }
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      unsubscribe();
      if (--this.listenersOfEverything === 0) {
        this.everything?.unsubscribe();
        this.everything = undefined;
      }
    };
  }

  subscribeCommand(commandId: string, listener: (event: CommandEvent) => void): () => void {
    let entry = this.commands.get(commandId);
    if (!entry) {
      // Subscribed before the caller goes on: the subscription reaches NATS ahead of anything this
      // instance sends afterwards (the command itself, routed to the device's instance).
      const subscription = this.notices.subscribe(this.commandSubject(commandId), (msg: Msg) => {
        const event = msg.json<HubEvent>();
        if (event.type === "command.updated") this.toCommandListeners(event);
      });
      entry = { listeners: new Set(), subscription };
      this.commands.set(commandId, entry);
    }
    const { listeners, subscription } = entry;
    // A wrapper of its own, so that the same function subscribed twice is two subscriptions.
    const own = (event: CommandEvent): void => listener(event);
    listeners.add(own);
    return () => {
      if (!listeners.delete(own) || listeners.size > 0) return;
      this.commands.delete(commandId);
      subscription.unsubscribe();
    };
  }

  /** Stop receiving the other instances' events (before the connection closes). */
  close(): void {
    this.everything?.unsubscribe();
    this.everything = undefined;
    for (const { subscription } of this.commands.values()) subscription.unsubscribe();
    this.commands.clear();
  }

  private toCommandListeners(event: CommandEvent): void {
    for (const listener of this.commands.get(event.command.id)?.listeners ?? []) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  private subjectOf(event: HubEvent): string {
    if (event.type === "command.updated") return this.commandSubject(event.command.id);
    return `${this.subject}.${event.type === "alarm.updated" ? "alarm" : "config"}`;
  }

  private commandSubject(commandId: string): string {
    return `${this.subject}.command.${deviceToken(commandId)}`;
  }
}
