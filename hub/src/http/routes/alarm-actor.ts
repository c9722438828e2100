import type { FastifyRequest } from "fastify";
import { actorOf } from "../../accounts/caller.js";
import type { Actor } from "../../alarms/alarm-api.js";
import { callerOf } from "../authentication.js";

/** Who acts on an alarm, rule or channel: `user:<username>` / `key:<id>` and the user's or key's name. */
export function alarmActorOf(request: FastifyRequest): Actor {
  const caller = callerOf(request);
  return { by: actorOf(caller), byName: caller.name };
}
