import { EventEmitter } from "node:events";
import type { Alarm, AlarmTransition } from "../alarms/alarm.js";
import type { CommandRecord } from "../commands/command-record.js";
import type { DeviceConfigRecord } from "../desired-config/desired-config-store.js";

/** What the hub announces: every command state change, every configuration change, every alarm step. */
export type HubEvent =
  | { type: "command.updated"; at: number; command: CommandRecord }
  | { type: "alarm.updated"; at: number; alarm: Alarm; transition: AlarmTransition }
  | { type: "config.updated"; at: number; config: DeviceConfigRecord }
  | { type: "config.reported"; at: number; config: DeviceConfigRecord };

/** A command's state change. */
export type CommandEvent = Extract<HubEvent, { type: "command.updated" }>;

/**
 * The hub's internal event bus (the dashboard's live channel and webhooks consume it):
 * `InProcessEventBus` in a single hub, `ClusterEventBus` across the instances of a cluster.
 */
export interface EventBus {
  publish(event: HubEvent): void;
  /** Every event. Returns the function that unsubscribes. */
  subscribe(listener: (event: HubEvent) => void): () => void;
  /**
   * The state changes of one command only (what waits for its result; a cluster instance then
   * hears of that command alone, not of every event). Returns the function that unsubscribes.
   */
  subscribeCommand(commandId: string, listener: (event: CommandEvent) => void): () => void;
}

/** The in-process event bus. A listener that throws does not stop the others. */
export class InProcessEventBus implements EventBus {
  private readonly emitter = new EventEmitter<{ event: [HubEvent] }>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => undefined) {
    this.emitter.setMaxListeners(0);
  }

  publish(event: HubEvent): void {
    for (const listener of this.emitter.listeners("event")) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  subscribe(listener: (event: HubEvent) => void): () => void {
    this.emitter.on("event", listener);
    return () => this.emitter.off("event", listener);
  }

  subscribeCommand(commandId: string, listener: (event: CommandEvent) => void): () => void {
    return this.subscribe((event) => {
      if (event.type === "command.updated" && event.command.id === commandId) listener(event);
    });
  }
}
