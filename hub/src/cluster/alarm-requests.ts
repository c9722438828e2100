import { type Msg, type NatsConnection, NoRespondersError, RequestError, type Subscription } from "@nats-io/transport-node";
import type pino from "pino";
import type { Alarm } from "../alarms/alarm.js";
import type { Actor } from "../alarms/alarm-api.js";
import type { AlarmControl } from "../alarms/alarm-service.js";
import type { AlarmRule } from "../alarms/rule.js";
import { isStoreUnavailable } from "../http/store-availability.js";

/** One request to the alarm duty's holder (JSON). */
type AlarmRequest =
  | { op: "ruleSaved"; rule: AlarmRule }
  | { op: "ruleDeleted"; ruleId: string }
  | { op: "deviceChanged"; deviceId: string }
  | { op: "deviceDeleted"; deviceId: string }
  | { op: "acknowledge" | "clear"; alarm: Alarm; actor: Actor; comment: string | null }
  | { op: "idle" };

/** The holder's answer: done (with the alarm an acknowledge or clear gives back), or why not. */
type AlarmReply = { ok: true; alarm?: Alarm } | { ok: false; message: string; storeUnavailable: boolean };

/** The queue group of the holder's subscription: a request is answered once even while two instances briefly both hold the duty. */
const QUEUE = "alarm-duty";

/**
 * No instance evaluates the alarm rules now (the duty is between holders), or its holder did not
 * answer within `cluster.alarmRequestTimeoutMs`. The API answers 503 `TH_API_ALARMS_UNAVAILABLE`:
 * the request may be repeated.
 */
export class AlarmsUnavailableError extends Error {
  readonly alarmsUnavailable = true;
  constructor(reason: string) {
    super(`alarm evaluation is unavailable: ${reason}`);
    this.name = "AlarmsUnavailableError";
  }
}

/**
 * The alarm service's engine on an instance of a cluster: every call is a NATS request to the
 * instance holding the alarm duty (`names.requests`), answered by its engine. An acknowledge or
 * clear with no holder, or not answered within `timeoutMs`, rejects with
 * {@link AlarmsUnavailableError}. A change (a rule, a device) is already stored when it is told:
 * it never fails the API call that made it (a device created, its token in the answer). With no
 * holder there is nobody to tell (the next holder reads it when it starts: it subscribes before
 * it reads); one not answered in time is logged (a holder that received it acts on it when it can).
 */
export class RemoteAlarmControl implements AlarmControl {
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly nats: NatsConnection,
    private readonly subject: string,
    private readonly timeoutMs: number,
    private readonly log: pino.Logger,
    /** Told after a rule is saved or deleted, before the holder: which readings go to the feed may change. */
    private readonly rulesChanged: () => Promise<void> = async () => undefined,
  ) {}

  async ruleSaved(rule: AlarmRule): Promise<void> {
    await this.rulesChanged();
    return this.tell({ op: "ruleSaved", rule });
  }

  async ruleDeleted(ruleId: string): Promise<void> {
    await this.rulesChanged();
    return this.tell({ op: "ruleDeleted", ruleId });
  }

  deviceChanged(deviceId: string): Promise<void> {
    return this.tell({ op: "deviceChanged", deviceId });
  }

  deviceDeleted(deviceId: string): Promise<void> {
    return this.tell({ op: "deviceDeleted", deviceId });
  }

  acknowledge(alarm: Alarm, actor: Actor, comment: string | null): Promise<Alarm> {
    return this.act({ op: "acknowledge", alarm, actor, comment });
  }

  clear(alarm: Alarm, actor: Actor, comment: string | null): Promise<Alarm> {
    return this.act({ op: "clear", alarm, actor, comment });
  }

  idle(): Promise<void> {
    return this.tell({ op: "idle" });
  }

  private async tell(request: AlarmRequest): Promise<void> {
    try {
      await this.ask(request, true);
    } catch (error) {
      if (request.op === "idle") throw error;
      this.log.warn({ err: error, op: request.op }, "the alarm duty's holder did not confirm a change (it is stored)");
    }
  }

  private async act(request: AlarmRequest): Promise<Alarm> {
    const reply = await this.ask(request, false);
    if (reply?.alarm === undefined) throw new Error(`the alarm duty's holder answered ${request.op} without the alarm`);
    return reply.alarm;
  }

  /** The holder's answer; undefined when `noHolderIsDone` and no instance holds the duty. */
  private async ask(request: AlarmRequest, noHolderIsDone: boolean): Promise<{ alarm?: Alarm } | undefined> {
    let msg: Msg;
    try {
      msg = await this.nats.request(this.subject, this.encoder.encode(JSON.stringify(request)), { timeout: this.timeoutMs });
    } catch (error) {
      const noHolder = error instanceof NoRespondersError || (error instanceof RequestError && error.isNoResponders());
      if (noHolder && noHolderIsDone) return undefined;
      throw new AlarmsUnavailableError(
        noHolder
          ? "no instance holds the alarm duty now"
          : `its holder did not answer within ${this.timeoutMs} ms (${(error as Error).message})`,
      );
    }
    const reply = msg.json<AlarmReply>();
    if (reply.ok) return reply;
    throw Object.assign(new Error(reply.message), reply.storeUnavailable ? { storeUnavailable: true } : {});
  }
}

/**
 * Answer the requests of {@link RemoteAlarmControl} with `engine` (the holder's, once it has
 * started: requests that come in while it loads wait for it). Unsubscribe when the duty ends.
 */
export function serveAlarmRequests(nats: NatsConnection, subject: string, engine: Promise<AlarmControl>, log: pino.Logger): Subscription {
  const encoder = new TextEncoder();
  const answer = async (msg: Msg): Promise<AlarmReply> => {
    const request = msg.json<AlarmRequest>();
    const control = await engine;
    switch (request.op) {
      case "ruleSaved":
        await control.ruleSaved(request.rule);
        return { ok: true };
      case "ruleDeleted":
        await control.ruleDeleted(request.ruleId);
        return { ok: true };
      case "deviceChanged":
        await control.deviceChanged(request.deviceId);
        return { ok: true };
      case "deviceDeleted":
        await control.deviceDeleted(request.deviceId);
        return { ok: true };
      case "acknowledge":
        return { ok: true, alarm: await control.acknowledge(request.alarm, request.actor, request.comment) };
      case "clear":
        return { ok: true, alarm: await control.clear(request.alarm, request.actor, request.comment) };
      case "idle":
        await control.idle();
        return { ok: true };
    }
  };
  return nats.subscribe(subject, {
    queue: QUEUE,
    callback: (error, msg) => {
      if (error) {
        log.error({ err: error, subject }, "the alarm request subscription failed");
        return;
      }
      void answer(msg)
        .catch((failure: unknown): AlarmReply => {
          log.error({ err: failure }, "an alarm request failed");
          return { ok: false, message: (failure as Error).message, storeUnavailable: isStoreUnavailable(failure) };
        })
        .then((reply) => msg.respond(encoder.encode(JSON.stringify(reply))));
    },
  });
}
