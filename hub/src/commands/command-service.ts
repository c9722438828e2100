import { randomUUID } from "node:crypto";
import type { CommandResultFrame, DataValue } from "@telehub/device-client/protocol";
import type pino from "pino";
import type { HubConfig } from "../config/hub-config.js";
import type { EventBus } from "../events/event-bus.js";
import type { SecretMarking } from "../security/secret-marking.js";
import { CommandRefusedError } from "./command-errors.js";
import { type CommandRecord, type CommandState, FINAL_STATES, redactedCommand } from "./command-record.js";
import type { CommandStore, CommandTransition } from "./command-store.js";
import type { DeviceChannel } from "./device-channel.js";
import { SerialQueue } from "./serial-queue.js";

export interface CommandRequest {
  deviceId: string;
  name: string;
  args: { [key: string]: DataValue };
  ttlMs?: number;
  timeoutMs?: number;
  idempotencyKey?: string;
  /** API key id of the sender. */
  actor: string | null;
}

export interface CommandServiceDeps {
  store: CommandStore;
  channel: DeviceChannel;
  bus: EventBus;
  config: HubConfig["commands"];
  log: pino.Logger;
  now: () => number;
  /** Which argument and result values are secret: they are redacted in every event. */
  secrets: SecretMarking;
}

/**
 * Commands from the API to devices: stores each one before anything else, sends it when the
 * device is connected (now, or at its next connection), moves it through its states on the
 * device's receipt and result, and expires or times it out. Every change is published on the
 * event bus, with secret values redacted (the bus feeds the live channel and webhooks). A final
 * command's secret arguments are erased. Operations on one device run one at a time, so its
 * commands leave in FIFO order.
 */
export class CommandService {
  private readonly perDevice = new SerialQueue();
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping = false;

  constructor(private readonly deps: CommandServiceDeps) {}

  /** Start checking expiries and result timeouts. */
  start(): void {
    this.sweeper = setInterval(() => void this.sweep(), this.deps.config.sweepIntervalMs);
    this.sweeper.unref();
  }

  stop(): void {
    clearInterval(this.sweeper);
  }

  /**
   * Store and (if the device is connected) send a command. With an idempotency key already
   * used for this device, the existing command is returned and nothing new is created.
   */
  submit(request: CommandRequest): Promise<{ command: CommandRecord; created: boolean }> {
    return this.create(request, randomUUID());
  }

  /**
   * {@link submit}, then wait until the command is final, at most `waitMs`: resolves with it as it
   * is then. Listens to the command before it exists, so its final step is heard wherever and
   * however soon it happens; the record comes from that step's event when the event holds
   * everything the store would answer (no secret values, which events carry redacted), else
   * from the store.
   */
  async submitAndWait(request: CommandRequest, waitMs: number): Promise<{ command: CommandRecord; created: boolean }> {
    const id = randomUUID();
    const listening = this.listenForFinal(id);
    try {
      const outcome = await this.create(request, id);
      // An idempotent replay answers a command created before: wait for that one.
      if (!outcome.created) return { command: (await this.waitForFinal(outcome.command.id, waitMs)) ?? outcome.command, created: false };
      return { command: (await this.asStored(id, await listening.final(waitMs))) ?? outcome.command, created: true };
    } finally {
      listening.stop();
    }
  }

  private create(request: CommandRequest, id: string): Promise<{ command: CommandRecord; created: boolean }> {
    return this.perDevice.run(request.deviceId, async () => {
      const { store, config, now } = this.deps;
      if (request.idempotencyKey) {
        const existing = await store.findByIdempotencyKey(request.deviceId, request.idempotencyKey);
        if (existing) return { command: existing, created: false };
      }
      const createdAt = now();
      let command: CommandRecord | undefined;
      try {
        command = await store.createUnlessFull(
          {
            id,
            deviceId: request.deviceId,
            name: request.name,
            args: request.args,
            createdAt,
            expiresAt: createdAt + (request.ttlMs ?? config.defaultTtlMs),
            timeoutMs: request.timeoutMs ?? config.defaultTimeoutMs,
            idempotencyKey: request.idempotencyKey ?? null,
            createdBy: request.actor,
          },
          config.maxQueuedPerDevice,
        );
      } catch (error) {
        // Another hub instance stored a command with this key between the lookup and here (the store's key is unique).
        const raced = request.idempotencyKey ? await store.findByIdempotencyKey(request.deviceId, request.idempotencyKey) : undefined;
        if (raced) return { command: raced, created: false };
        throw error;
      }
      if (command === undefined) {
        throw new CommandRefusedError(
          "queue-full",
          `device ${request.deviceId} already has ${config.maxQueuedPerDevice} commands waiting (commands.maxQueuedPerDevice)`,
        );
      }
      this.publish(command);
      return { command: (await this.send(command)) ?? command, created: true };
    });
  }

  /** A device's session opened: send everything still waiting for it, oldest first (again, for `sent` ones: same id). */
  deliverPending(deviceId: string): Promise<void> {
    return this.perDevice.run(deviceId, async () => {
      for (const command of await this.deps.store.pendingFor(deviceId)) await this.send(command);
    });
  }

  /** `cmd_ack` from the device: delivered; the result timeout starts. */
  receipt(deviceId: string, id: string): Promise<void> {
    return this.perDevice.run(deviceId, async () => {
      await this.move(id, ["queued", "sent"], { state: "delivered", at: this.deps.now(), deadline: "result-timeout", deviceId });
    });
  }

  /** `cmd_result` from the device: succeeded or failed, then `cmd_done` so it can forget the result. */
  result(deviceId: string, frame: CommandResultFrame): Promise<void> {
    return this.perDevice.run(deviceId, async () => {
      const command = await this.deps.store.get(frame.id);
      if (command && command.deviceId === deviceId) {
        const to: CommandTransition = frame.ok
          ? { state: "succeeded", at: this.deps.now(), deadline: null, result: frame.res ?? null }
          : {
              state: "failed",
              at: this.deps.now(),
              deadline: null,
              error: { code: frame.err?.code ?? "TH_CMD_FAILED", message: frame.err?.msg ?? "" },
            };
        await this.move(command, ["queued", "sent", "delivered"], to);
      }
      // Also for unknown or already final commands: the device must stop resending the result.
      this.deps.channel.send(deviceId, { t: "cmd_done", id: frame.id });
    });
  }

  /** Cancel a command that has not reached the device yet. */
  async cancel(id: string): Promise<CommandRecord | undefined> {
    const command = await this.deps.store.get(id);
    if (!command) return undefined;
    return this.perDevice.run(command.deviceId, async () => {
      const cancelled = await this.move(command, ["queued", "sent"], { state: "cancelled", at: this.deps.now(), deadline: null });
      if (cancelled) return cancelled;
      const current = (await this.deps.store.get(id)) as CommandRecord;
      throw new CommandRefusedError("not-cancellable", `command ${id} is ${current.state}: only queued or sent commands can be cancelled`);
    });
  }

  /** The device is gone (deleted): cancel everything still waiting for it. Resolves with how many. */
  cancelPending(deviceId: string): Promise<number> {
    return this.perDevice.run(deviceId, async () => {
      let cancelled = 0;
      for (const command of await this.deps.store.pendingFor(deviceId)) {
        if (await this.move(command, ["queued", "sent"], { state: "cancelled", at: this.deps.now(), deadline: null })) cancelled++;
      }
      return cancelled;
    });
  }

  /** Resolves with the command once it is final, or as it is after `timeoutMs`. */
  async waitForFinal(id: string, timeoutMs: number): Promise<CommandRecord | undefined> {
    const listening = this.listenForFinal(id);
    try {
      const current = await this.deps.store.get(id);
      if (!current || FINAL_STATES.has(current.state)) return current;
      return await this.asStored(id, await listening.final(timeoutMs));
    } finally {
      listening.stop();
    }
  }

  /**
   * Listen to command `id` from now on: `final(waitMs)` resolves with its final step's record as
   * the step's event carries it, or undefined when `waitMs` passes without one.
   */
  private listenForFinal(id: string): { final(waitMs: number): Promise<CommandRecord | undefined>; stop(): void } {
    let heard: CommandRecord | undefined;
    let tell: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const unsubscribe = this.deps.bus.subscribeCommand(id, (event) => {
      if (!FINAL_STATES.has(event.command.state)) return;
      heard = event.command;
      tell?.();
    });
    return {
      final: (waitMs) =>
        heard !== undefined
          ? Promise.resolve(heard)
          : new Promise((resolve) => {
              tell = () => resolve(heard);
              timer = setTimeout(() => resolve(undefined), waitMs);
            }),
      stop: () => {
        unsubscribe();
        clearTimeout(timer);
      },
    };
  }

  /** The command as stored, given its final step's event if one was heard: the event itself when it holds no secret values (events carry them redacted). */
  private async asStored(id: string, heard: CommandRecord | undefined): Promise<CommandRecord | undefined> {
    return heard && !this.holdsSecrets(heard) ? heard : this.deps.store.get(id);
  }

  /** Expire undelivered commands past their TTL and time out delivered ones past their result deadline. */
  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const now = this.deps.now();
      for (const command of await this.deps.store.due(now, 500)) {
        await this.perDevice.run(command.deviceId, async () => {
          if (command.state === "delivered") await this.move(command, ["delivered"], { state: "timed_out", at: now, deadline: null });
          else await this.move(command, ["queued", "sent"], { state: "expired", at: now, deadline: null });
        });
      }
    } catch (error) {
      this.deps.log.error({ err: error }, "command sweep failed");
    } finally {
      this.sweeping = false;
    }
  }

  /** Write a command to the device's session if it has one; it is `sent` from then on. */
  private async send(command: CommandRecord): Promise<CommandRecord | undefined> {
    if (command.expiresAt <= this.deps.now()) return undefined;
    const sent = this.deps.channel.send(command.deviceId, { t: "cmd", id: command.id, name: command.name, args: command.args });
    if (!sent) return undefined;
    return this.move(command, ["queued", "sent"], { state: "sent", at: this.deps.now(), attempt: true });
  }

  /** Move a command (by id for a step that is never final, else as read: a final step erases its secret arguments). */
  private async move(
    command: CommandRecord | string,
    from: readonly CommandState[],
    to: CommandTransition,
  ): Promise<CommandRecord | undefined> {
    const id = typeof command === "string" ? command : command.id;
    if (FINAL_STATES.has(to.state)) {
      if (typeof command === "string") throw new Error(`a final step needs the command as read (${id})`);
      // Nothing sends a final command again: its secret arguments are not needed any more.
      to = { ...to, eraseSecretArgs: command.args };
    }
    const updated = await this.deps.store.transition(id, from, to);
    if (updated) this.publish(updated);
    return updated;
  }

  /** Whether a command's event (secret values redacted) differs from its stored record. */
  private holdsSecrets(command: CommandRecord): boolean {
    return this.deps.secrets.holdsSecrets(command.args) || (command.result !== null && this.deps.secrets.holdsSecrets(command.result));
  }

  private publish(command: CommandRecord): void {
    this.deps.bus.publish({ type: "command.updated", at: command.updatedAt, command: redactedCommand(command, this.deps.secrets) });
  }
}
