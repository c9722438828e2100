import type { FastifyInstance } from "fastify";
import type { Alarm } from "../../alarms/alarm.js";
import type { Actor } from "../../alarms/alarm-api.js";
import { SEVERITIES } from "../../alarms/rule.js";
import type { AlarmQuery } from "../../storage/alarm-repository.js";
import { ApiError } from "../api-errors.js";
import type { HttpApiDeps } from "../http-api-deps.js";
import { DEVICE_ID_PATTERN, errorResponses, pageOf, routeSchema, TIMESTAMP_SCHEMA } from "../shared-schemas.js";
import { alarmActorOf } from "./alarm-actor.js";
import { ALARM_REF, HUB_ID_PARAMS, HUB_ID_PATTERN, pageQueryProperties, SEVERITY_SCHEMA } from "./alarm-schemas.js";

/** The most alarms one page may carry with their transitions. */
export const MAX_ALARMS_WITH_TRANSITIONS = 100;
/** The longest comment on an acknowledge or clear. */
export const MAX_ALARM_COMMENT_LENGTH = 1000;

type IdParams = { id: string };

type ListQuerystring = AlarmQuery & { include?: "transitions" };

const COMMENT_BODY = {
  type: ["object", "null"],
  additionalProperties: false,
  properties: {
    comment: {
      type: "string",
      maxLength: MAX_ALARM_COMMENT_LENGTH,
      description: `Why, for the alarm's history (at most ${MAX_ALARM_COMMENT_LENGTH} characters)`,
    },
  },
} as const;

const SUMMARY_SCHEMA = {
  type: "object",
  required: ["bySeverity", "unacknowledged", "active"],
  properties: {
    bySeverity: {
      type: "object",
      required: [...SEVERITIES],
      properties: Object.fromEntries(SEVERITIES.map((severity) => [severity, { type: "integer" }])),
      description: "Active alarms per severity (every severity present)",
    },
    unacknowledged: { type: "integer", description: "Active alarms nobody acknowledged" },
    active: { type: "integer", description: "Active alarms" },
  },
} as const;

/** An empty or blank comment is no comment. */
function commentOf(body: { comment?: string } | null | undefined): string | null {
  const comment = body?.comment;
  return comment === undefined || comment.trim() === "" ? null : comment;
}

/** Alarms: list with filters, open counts, one alarm with its history, acknowledge and clear. */
export function registerAlarmRoutes(http: FastifyInstance, deps: HttpApiDeps): void {
  const { alarms } = deps;

  async function withTransitions(alarm: Alarm): Promise<Alarm & { transitions: unknown[] }> {
    return { ...alarm, transitions: (await alarms.transitions(alarm.id)) ?? [] };
  }

  function notFound(id: string): never {
    throw new ApiError("TH_API_NOT_FOUND", `no alarm ${id}`);
  }

  http.get<{ Querystring: ListQuerystring }>(
    "/alarms",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["alarms"],
        summary: "List alarms",
        description: `Newest raised first; paged, the total also in the \`X-Total-Count\` header. Filters combine (all must hold). With \`include=transitions\` each alarm carries its history, and \`limit\` is at most ${MAX_ALARMS_WITH_TRANSITIONS}.`,
        querystring: {
          type: "object",
          properties: {
            ...pageQueryProperties(deps.config.api),
            status: { type: "string", enum: ["active", "cleared"], description: "active: open alarms; cleared: closed ones" },
            acknowledged: { type: "boolean" },
            severity: { ...SEVERITY_SCHEMA, description: "The alarm's current severity" },
            deviceId: { type: "string", pattern: DEVICE_ID_PATTERN },
            profileId: { type: "string", maxLength: 64, description: "The device's profile when the alarm was raised" },
            ruleId: { type: "string", pattern: HUB_ID_PATTERN },
            from: { ...TIMESTAMP_SCHEMA, description: "Raised at or after (ms since the epoch)" },
            to: { ...TIMESTAMP_SCHEMA, description: "Raised before (ms since the epoch)" },
            include: { type: "string", enum: ["transitions"], description: "transitions: each alarm with its history" },
          },
        },
        response: { 200: pageOf(ALARM_REF), ...errorResponses() },
      }),
    },
    async (request, reply) => {
      const { include, ...filters } = request.query;
      if (include === "transitions" && filters.limit > MAX_ALARMS_WITH_TRANSITIONS) {
        throw new ApiError("TH_API_VALIDATION", `with include=transitions, limit is at most ${MAX_ALARMS_WITH_TRANSITIONS}`, [
          { in: "querystring", path: "/limit", message: `must be <= ${MAX_ALARMS_WITH_TRANSITIONS} with include=transitions` },
        ]);
      }
      const { items, total } = await alarms.listAlarms(filters);
      void reply.header("X-Total-Count", String(total));
      const data = include === "transitions" ? await Promise.all(items.map(withTransitions)) : items;
      return { data, total, limit: filters.limit, offset: filters.offset };
    },
  );

  http.get(
    "/alarms/summary",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["alarms"],
        summary: "Count the open alarms",
        description: "Active alarms per severity, how many of them nobody acknowledged, and how many in all (the dashboard's badge).",
        response: { 200: SUMMARY_SCHEMA, ...errorResponses() },
      }),
    },
    async () => {
      const { bySeverity, unacknowledged } = await alarms.openCounts();
      const active = SEVERITIES.reduce((sum, severity) => sum + bySeverity[severity], 0);
      return { bySeverity, unacknowledged, active };
    },
  );

  http.get<{ Params: IdParams }>(
    "/alarms/:id",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["alarms"],
        summary: "Get an alarm with its history",
        params: HUB_ID_PARAMS,
        response: { 200: ALARM_REF, ...errorResponses(404) },
      }),
    },
    async (request) => {
      const alarm = await alarms.getAlarm(request.params.id);
      return alarm ? withTransitions(alarm) : notFound(request.params.id);
    },
  );

  /** Acknowledge and clear: the same shape, a different step. */
  function registerStep(
    step: "acknowledge" | "clear",
    apply: (id: string, actor: Actor, comment: string | null) => Promise<Alarm | undefined>,
    summary: string,
    description: string,
  ): void {
    http.post<{ Params: IdParams; Body: { comment?: string } | null }>(
      `/alarms/:id/${step}`,
      {
        config: { access: "operator", audit: `alarm.${step}` },
        schema: routeSchema({
          tags: ["alarms"],
          summary,
          description,
          params: HUB_ID_PARAMS,
          body: COMMENT_BODY,
          response: { 200: ALARM_REF, ...errorResponses(404) },
        }),
      },
      async (request) => {
        const alarm = await apply(request.params.id, alarmActorOf(request), commentOf(request.body));
        if (!alarm) return notFound(request.params.id);
        request.auditDetails = { ruleId: alarm.ruleId, deviceId: alarm.deviceId };
        return withTransitions(alarm);
      },
    );
  }

  registerStep(
    "acknowledge",
    (id, actor, comment) => alarms.acknowledge(id, actor, comment),
    "Acknowledge an alarm",
    "Says someone has seen it: stops the channels' reminders; the alarm stays active until it clears. An alarm already acknowledged is answered as it is (no second step). Answers the alarm with its history.",
  );
  registerStep(
    "clear",
    (id, actor, comment) => alarms.clear(id, actor, comment),
    "Clear an alarm",
    "Closes it by hand. If the rule's condition still holds `reRaiseAfterMs` after, a new alarm is raised. An alarm already cleared is answered as it is. Answers the alarm with its history.",
  );
}
