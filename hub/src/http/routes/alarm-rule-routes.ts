import type { FastifyInstance } from "fastify";
import { BacktestUnsupportedError, RuleReferenceError } from "../../alarms/alarm-api.js";
import type { AlarmRule, RuleDefinition } from "../../alarms/rule.js";
import { RULE_DEFINITION_SCHEMA } from "../../alarms/rule-schema.js";
import { validateRule } from "../../alarms/rule-validation.js";
import { RuleVersionConflictError } from "../../storage/alarm-repository.js";
import { ApiError } from "../api-errors.js";
import type { HttpApiDeps } from "../http-api-deps.js";
import { DEVICE_ID_PATTERN, errorResponses, pageOf, routeSchema, TIMESTAMP_SCHEMA } from "../shared-schemas.js";
import { alarmActorOf } from "./alarm-actor.js";
import { ALARM_RULE_REF, BACKTEST_RESULT_REF, HUB_ID_PARAMS, pageQueryProperties } from "./alarm-schemas.js";

type IdParams = { id: string };
type UpdateBody = RuleDefinition & { version?: number };
type BacktestRange = { deviceId: string; from: number; to: number };

const RULE_UPDATE_BODY = {
  ...RULE_DEFINITION_SCHEMA,
  properties: {
    ...RULE_DEFINITION_SCHEMA.properties,
    version: {
      type: "integer",
      minimum: 1,
      description: "The version that was edited: a rule changed since is `TH_API_RULE_VERSION_CONFLICT`",
    },
  },
} as const;

const RANGE_PROPERTIES = {
  deviceId: { type: "string", pattern: DEVICE_ID_PATTERN, description: "The device whose stored history is replayed" },
  from: { ...TIMESTAMP_SCHEMA, minimum: 0 },
  to: { ...TIMESTAMP_SCHEMA, minimum: 0 },
} as const;

const BACKTEST_BODY = {
  type: "object",
  required: ["rule", "deviceId", "from", "to"],
  additionalProperties: false,
  properties: { rule: RULE_DEFINITION_SCHEMA, ...RANGE_PROPERTIES },
} as const;

const STORED_BACKTEST_BODY = {
  type: "object",
  required: ["deviceId", "from", "to"],
  additionalProperties: false,
  properties: RANGE_PROPERTIES,
} as const;

/** A rule's schema-valid definition checked across fields (`TH_API_RULE_INVALID`, naming the field). */
function checkRule(definition: RuleDefinition): void {
  const problem = validateRule(definition);
  if (problem) throw new ApiError("TH_API_RULE_INVALID", `${problem.field}: ${problem.message}`, { field: problem.field });
}

/** The service's refusals as API errors. */
function rethrow(error: unknown): never {
  if (error instanceof RuleReferenceError) {
    throw new ApiError("TH_API_RULE_INVALID", `${error.field}: ${error.message}`, { field: error.field });
  }
  if (error instanceof RuleVersionConflictError) {
    throw new ApiError("TH_API_RULE_VERSION_CONFLICT", error.message, { current: error.current });
  }
  if (error instanceof BacktestUnsupportedError) throw new ApiError("TH_API_BACKTEST_UNSUPPORTED", error.message);
  throw error;
}

/** A stored rule's definition (what a client would send to create it). */
function definitionOf(rule: AlarmRule): RuleDefinition {
  const { id: _id, version: _version, createdAt: _createdAt, updatedAt: _updatedAt, updatedBy: _updatedBy, ...definition } = rule;
  return definition;
}

/** Alarm rules: list, read, create, replace (versioned), delete, and backtests on stored history. */
export function registerAlarmRuleRoutes(http: FastifyInstance, deps: HttpApiDeps): void {
  const { api } = deps.config;
  const { maxRules, maxBacktestRangeMs } = deps.config.alarms;
  const { alarms } = deps;

  /** Creations one at a time: two at once must not both pass the `alarms.maxRules` check. */
  let creating: Promise<unknown> = Promise.resolve();
  function oneCreationAtATime<T>(work: () => Promise<T>): Promise<T> {
    const turn = creating.then(work, work);
    creating = turn.catch(() => undefined);
    return turn;
  }

  function notFound(id: string): never {
    throw new ApiError("TH_API_NOT_FOUND", `no alarm rule ${id}`);
  }

  /** Replay `definition` on a device's stored history after checking the range and the device. */
  async function backtest(definition: RuleDefinition, { deviceId, from, to }: BacktestRange) {
    if (to <= from) throw new ApiError("TH_API_BACKTEST_RANGE", `to (${to}) must be after from (${from})`);
    if (to - from > maxBacktestRangeMs) {
      throw new ApiError("TH_API_BACKTEST_RANGE", `the range is longer than alarms.maxBacktestRangeMs (${maxBacktestRangeMs} ms)`, {
        maxRangeMs: maxBacktestRangeMs,
      });
    }
    if (!(await deps.devices.get(deviceId))) throw new ApiError("TH_API_NOT_FOUND", `no device ${deviceId}`);
    return alarms.backtest(definition, deviceId, from, to).catch(rethrow);
  }

  http.get<{ Querystring: { limit: number; offset: number } }>(
    "/alarm-rules",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["alarm rules"],
        summary: "List alarm rules",
        description: "Sorted by name; paged, the total also in the `X-Total-Count` header.",
        querystring: { type: "object", properties: pageQueryProperties(api) },
        response: { 200: pageOf(ALARM_RULE_REF), ...errorResponses() },
      }),
    },
    async (request, reply) => {
      const { limit, offset } = request.query;
      const { items, total } = await alarms.listRules({ limit, offset });
      void reply.header("X-Total-Count", String(total));
      return { data: items, total, limit, offset };
    },
  );

  http.get<{ Params: IdParams }>(
    "/alarm-rules/:id",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["alarm rules"],
        summary: "Get an alarm rule",
        params: HUB_ID_PARAMS,
        response: { 200: ALARM_RULE_REF, ...errorResponses(404) },
      }),
    },
    async (request) => (await alarms.getRule(request.params.id)) ?? notFound(request.params.id),
  );

  http.post<{ Body: RuleDefinition }>(
    "/alarm-rules",
    {
      config: { access: "operator", audit: "alarm-rule.create" },
      schema: routeSchema({
        tags: ["alarm rules"],
        summary: "Create an alarm rule",
        description:
          "Version 1; it starts watching the devices in its scope at once. A rule broken between fields, or a scope naming a device or profile that does not exist, is `TH_API_RULE_INVALID` naming the field; more than `alarms.maxRules` rules is `TH_API_RULE_LIMIT`.",
        body: RULE_DEFINITION_SCHEMA,
        response: { 201: ALARM_RULE_REF, ...errorResponses(409) },
      }),
    },
    async (request, reply) => {
      checkRule(request.body);
      const rule = await oneCreationAtATime(async () => {
        const { total } = await alarms.listRules({ limit: 1, offset: 0 });
        if (total >= maxRules) {
          throw new ApiError("TH_API_RULE_LIMIT", `the hub already has ${total} alarm rules (alarms.maxRules is ${maxRules})`, {
            maxRules,
          });
        }
        return alarms.createRule(request.body, alarmActorOf(request)).catch(rethrow);
      });
      request.auditDetails = { target: rule.id, version: rule.version };
      return reply.code(201).send(rule);
    },
  );

  http.put<{ Params: IdParams; Body: UpdateBody }>(
    "/alarm-rules/:id",
    {
      config: { access: "operator", audit: "alarm-rule.update" },
      schema: routeSchema({
        tags: ["alarm rules"],
        summary: "Replace an alarm rule",
        description:
          "The whole definition; the version goes up by one and evaluation under the rule starts afresh (its open alarms stay open and are taken over). With `version` (the version that was edited), a rule changed meanwhile is `TH_API_RULE_VERSION_CONFLICT`.",
        params: HUB_ID_PARAMS,
        body: RULE_UPDATE_BODY,
        response: { 200: ALARM_RULE_REF, ...errorResponses(404, 409) },
      }),
    },
    async (request) => {
      const { version, ...definition } = request.body;
      checkRule(definition);
      const rule = await alarms.updateRule(request.params.id, definition, alarmActorOf(request), version).catch(rethrow);
      if (!rule) return notFound(request.params.id);
      request.auditDetails = { version: rule.version };
      return rule;
    },
  );

  http.delete<{ Params: IdParams }>(
    "/alarm-rules/:id",
    {
      config: { access: "operator", audit: "alarm-rule.delete" },
      schema: routeSchema({
        tags: ["alarm rules"],
        summary: "Delete an alarm rule",
        description: 'Its open alarms are cleared by `system` with the comment "rule deleted"; its alarms stay in the history.',
        params: HUB_ID_PARAMS,
        response: { 204: { type: "null", description: "Deleted" }, ...errorResponses(404) },
      }),
    },
    async (request, reply) => {
      if (!(await alarms.deleteRule(request.params.id, alarmActorOf(request)))) return notFound(request.params.id);
      return reply.code(204).send();
    },
  );

  const backtestDescription =
    "Replays the device's stored readings in [from, to] through the same evaluator live alarms use and answers what the rule would have done: each alarm's steps and severity spans. Nothing is stored or notified. At most `alarms.maxBacktestRangeMs` long (`TH_API_BACKTEST_RANGE`) and `alarms.maxBacktestPoints` readings (then `truncated`); offline rules cannot be replayed (`TH_API_BACKTEST_UNSUPPORTED`: the hub keeps no connection history).";

  http.post<{ Body: BacktestRange & { rule: RuleDefinition } }>(
    "/alarm-rules/backtest",
    {
      config: { access: "operator" },
      schema: routeSchema({
        tags: ["alarm rules"],
        summary: "Backtest a rule before saving it",
        description: `${backtestDescription} The rule is checked like a new one (\`TH_API_RULE_INVALID\`, the field named inside \`rule\`); its scope is not applied.`,
        body: BACKTEST_BODY,
        response: { 200: BACKTEST_RESULT_REF, ...errorResponses(404) },
      }),
    },
    async (request) => {
      const { rule, ...range } = request.body;
      checkRule(rule);
      return backtest(rule, range);
    },
  );

  http.post<{ Params: IdParams; Body: BacktestRange }>(
    "/alarm-rules/:id/backtest",
    {
      config: { access: "operator" },
      schema: routeSchema({
        tags: ["alarm rules"],
        summary: "Backtest a saved rule",
        description: `${backtestDescription} The device need not be in the rule's scope.`,
        params: HUB_ID_PARAMS,
        body: STORED_BACKTEST_BODY,
        response: { 200: BACKTEST_RESULT_REF, ...errorResponses(404) },
      }),
    },
    async (request) => {
      const rule = await alarms.getRule(request.params.id);
      if (!rule) return notFound(request.params.id);
      return backtest(definitionOf(rule), request.body);
    },
  );
}
