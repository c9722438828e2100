import { COMMAND_NAME_PATTERN, type DataValue, MAX_COMMAND_NAME_LENGTH, type MetricValue } from "@telehub/device-client/protocol";
import type { FastifyInstance } from "fastify";
import { CommandRefusedError } from "../../commands/command-errors.js";
import { COMMAND_STATES, type CommandState } from "../../commands/command-record.js";
import { ApiError } from "../api-errors.js";
import { callerOf } from "../authentication.js";
import { COMMAND_REF, commandView, JSON_OBJECT_SCHEMA, redactionFor } from "../command-schemas.js";
import { senderNames } from "../command-senders.js";
import type { HttpApiDeps } from "../http-api-deps.js";
import { DEVICE_ID_PARAMS, errorResponses, PAGE_OFFSET_SCHEMA, pageOf, routeSchema } from "../shared-schemas.js";
import { requireDevice } from "./device-lookup.js";

type Args = { [key: string]: DataValue };
/** Which devices a bulk command goes to: every condition must match. */
interface Selector {
  labels?: Record<string, string>;
  attributes?: Record<string, MetricValue>;
  model?: string;
  firmware?: string;
}
interface SendBody {
  name: string;
  args?: Args;
  ttlMs?: number;
  timeoutMs?: number;
  idempotencyKey?: string;
}

const COMMAND_NAME = { type: "string", minLength: 1, maxLength: MAX_COMMAND_NAME_LENGTH, pattern: COMMAND_NAME_PATTERN.source } as const;
const WAIT_QUERY = {
  type: "object",
  properties: {
    wait: { type: "integer", minimum: 0, description: "Wait up to this many ms for the final state (capped at commands.maxWaitMs)" },
  },
} as const;

function sendBodySchema(deps: HttpApiDeps) {
  const { commands } = deps.config;
  return {
    type: "object",
    required: ["name"],
    properties: {
      name: COMMAND_NAME,
      args: JSON_OBJECT_SCHEMA,
      ttlMs: { type: "integer", minimum: 1, maximum: commands.maxTtlMs, description: `Default ${commands.defaultTtlMs}` },
      timeoutMs: { type: "integer", minimum: 1, maximum: commands.maxTtlMs, description: `Default ${commands.defaultTimeoutMs}` },
      idempotencyKey: {
        type: "string",
        minLength: 1,
        maxLength: 128,
        description: "The same key for the same device returns the same command",
      },
    },
  } as const;
}

/** Refusals from the command service as API errors. */
function apiErrorOf(error: unknown): unknown {
  if (!(error instanceof CommandRefusedError)) return error;
  if (error.reason === "queue-full") return new ApiError("TH_API_COMMAND_QUEUE_FULL", error.message);
  if (error.reason === "not-cancellable") return new ApiError("TH_API_COMMAND_NOT_CANCELLABLE", error.message);
  return new ApiError("TH_API_NOT_FOUND", error.message);
}

/** Arguments that the device's profile's schema for the command refuses. */
function argsInvalid(name: string, problem: string): ApiError {
  return new ApiError("TH_API_COMMAND_ARGS_INVALID", `args of ${name} do not fit the device's profile: ${problem}`);
}

function checkArgsSize(deps: HttpApiDeps, args: Args | undefined): void {
  const bytes = Buffer.byteLength(JSON.stringify(args ?? {}));
  if (bytes > deps.config.commands.maxArgsBytes) {
    throw new ApiError(
      "TH_API_VALIDATION",
      `args is ${bytes} bytes as JSON; the limit is commands.maxArgsBytes (${deps.config.commands.maxArgsBytes})`,
    );
  }
}

/** Commands: send one (optionally waiting for the outcome), list, read, cancel, send to many. */
export function registerCommandRoutes(http: FastifyInstance, deps: HttpApiDeps): void {
  const { commands } = deps;
  const waitMs = (wait: number | undefined): number => Math.min(wait ?? 0, deps.config.commands.maxWaitMs);

  http.post<{ Params: { id: string }; Body: SendBody; Querystring: { wait?: number } }>(
    "/devices/:id/commands",
    {
      config: { access: "operator", audit: "command.send" },
      schema: routeSchema({
        tags: ["commands"],
        summary: "Send a command to a device",
        description:
          "Stored first, then sent when the device is connected (now or when it next connects). `201` for a new command, `200` when `idempotencyKey` matched an earlier one. With `wait`, the answer comes when the command is final or the wait is over. Arguments that the `args` schema of the device's profile for this command refuses are `TH_API_COMMAND_ARGS_INVALID`; a command the profile does not list is sent unchecked.",
        params: DEVICE_ID_PARAMS,
        querystring: WAIT_QUERY,
        body: sendBodySchema(deps),
        response: { 200: COMMAND_REF, 201: COMMAND_REF, ...errorResponses(404, 429) },
      }),
    },
    async (request, reply) => {
      const deviceId = request.params.id;
      const device = await requireDevice(deps, deviceId);
      checkArgsSize(deps, request.body.args);
      const { name, args, ttlMs, timeoutMs, idempotencyKey } = request.body;
      const problem = await deps.profiles.argsProblem(device, name, args ?? {});
      if (problem !== undefined) throw argsInvalid(name, problem);
      const commandRequest = { deviceId, name, args: args ?? {}, ttlMs, timeoutMs, idempotencyKey, actor: callerOf(request).id };
      const wait = waitMs(request.query.wait);
      const { command, created } = await (wait > 0 ? commands.submitAndWait(commandRequest, wait) : commands.submit(commandRequest)).catch(
        (error: unknown) => {
          throw apiErrorOf(error);
        },
      );
      request.auditDetails = { commandId: command.id, name, args: deps.secrets.redact(args ?? {}), created };
      return reply
        .code(created ? 201 : 200)
        .send(commandView(command, undefined, await senderNames(deps, [command.createdBy], callerOf(request))));
    },
  );

  http.get<{
    Querystring: { deviceId?: string; state?: string; from?: number; to?: number; limit?: number; offset?: number; order?: "asc" | "desc" };
  }>(
    "/commands",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["commands"],
        summary: "List commands",
        description: "Newest first unless `order=asc`; `state` takes a comma-separated list.",
        querystring: {
          type: "object",
          properties: {
            deviceId: { type: "string" },
            state: { type: "string", pattern: `^(${COMMAND_STATES.join("|")})(,(${COMMAND_STATES.join("|")}))*$` },
            from: { type: "integer", description: "created at or after (ms)" },
            to: { type: "integer", description: "created before (ms)" },
            limit: { type: "integer", minimum: 1, maximum: deps.config.api.maxPageSize },
            offset: PAGE_OFFSET_SCHEMA,
            order: { type: "string", enum: ["asc", "desc"] },
          },
        },
        response: {
          200: pageOf(COMMAND_REF),
          ...errorResponses(),
        },
      }),
    },
    async (request, reply) => {
      const q = request.query;
      const limit = q.limit ?? deps.config.api.defaultPageSize;
      const offset = q.offset ?? 0;
      const states = q.state ? (q.state.split(",") as CommandState[]) : undefined;
      const page = await deps.commandStore.list({
        limit,
        offset,
        deviceId: q.deviceId,
        states,
        from: q.from,
        to: q.to,
        order: q.order ?? "desc",
      });
      reply.header("X-Total-Count", String(page.total));
      const redact = redactionFor(request, deps);
      const senders = await senderNames(
        deps,
        page.items.map((command) => command.createdBy),
      );
      return { data: page.items.map((command) => commandView(command, redact, senders)), total: page.total, limit, offset };
    },
  );

  http.get<{ Params: { id: string }; Querystring: { wait?: number } }>(
    "/commands/:id",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["commands"],
        summary: "Read a command",
        description: "With `wait`, the answer comes when the command is final or the wait is over.",
        params: { type: "object", required: ["id"], properties: { id: { type: "string", maxLength: 64 } } },
        querystring: WAIT_QUERY,
        response: { 200: COMMAND_REF, ...errorResponses(404) },
      }),
    },
    async (request) => {
      const wait = waitMs(request.query.wait);
      const command = wait > 0 ? await commands.waitForFinal(request.params.id, wait) : await deps.commandStore.get(request.params.id);
      if (!command) throw new ApiError("TH_API_NOT_FOUND", `no command ${request.params.id}`);
      return commandView(command, redactionFor(request, deps), await senderNames(deps, [command.createdBy], callerOf(request)));
    },
  );

  http.post<{ Params: { id: string } }>(
    "/commands/:id/cancel",
    {
      config: { access: "operator", audit: "command.cancel" },
      schema: routeSchema({
        tags: ["commands"],
        summary: "Cancel a command",
        description: "Only a command that has not reached the device (queued or sent) can be cancelled; otherwise 409.",
        params: { type: "object", required: ["id"], properties: { id: { type: "string", maxLength: 64 } } },
        response: { 200: COMMAND_REF, ...errorResponses(404, 409) },
      }),
    },
    async (request) => {
      const cancelled = await commands.cancel(request.params.id).catch((error: unknown) => {
        throw apiErrorOf(error);
      });
      if (!cancelled) throw new ApiError("TH_API_NOT_FOUND", `no command ${request.params.id}`);
      return commandView(cancelled, undefined, await senderNames(deps, [cancelled.createdBy], callerOf(request)));
    },
  );

  http.post<{
    Body: SendBody & { devices?: string[]; selector?: Selector };
  }>(
    "/commands/bulk",
    {
      config: { access: "operator", audit: "command.bulk" },
      schema: routeSchema({
        tags: ["commands"],
        summary: "Send one command to many devices",
        description:
          "Targets are an explicit `devices` list or a `selector` (labels, reported attributes, model, firmware: all must match), at most `api.maxPageSize` devices. Answers a status per device: 201 with the command, 200 for an idempotent replay, 400 for arguments the device's profile refuses, 404 for an unknown device, 429 for a full queue.",
        body: {
          ...sendBodySchema(deps),
          properties: {
            ...sendBodySchema(deps).properties,
            devices: { type: "array", items: { type: "string" }, minItems: 1, maxItems: deps.config.api.maxPageSize },
            selector: {
              type: "object",
              properties: {
                labels: { type: "object", additionalProperties: { type: "string" } },
                model: { type: "string" },
                firmware: { type: "string" },
              },
            },
          },
        },
        response: {
          200: {
            type: "object",
            required: ["results"],
            properties: {
              results: {
                type: "array",
                items: {
                  type: "object",
                  required: ["deviceId", "status"],
                  properties: {
                    deviceId: { type: "string" },
                    status: { type: "integer" },
                    command: COMMAND_REF,
                    error: { type: "object", additionalProperties: true },
                  },
                },
              },
            },
          },
          ...errorResponses(),
        },
      }),
    },
    async (request) => {
      const { devices, selector, name, args, ttlMs, timeoutMs, idempotencyKey } = request.body;
      if ((devices === undefined) === (selector === undefined)) throw new ApiError("TH_API_VALIDATION", "give either devices or selector");
      checkArgsSize(deps, args);
      const targets = devices ?? (await selectDevices(deps, selector ?? {}));
      const actor = callerOf(request).id;
      const senders = await senderNames(deps, [actor], callerOf(request));
      const results = [];
      for (const deviceId of targets) {
        const device = await deps.devices.get(deviceId);
        if (!device) {
          results.push({ deviceId, status: 404, error: { code: "TH_API_NOT_FOUND", message: `no device ${deviceId}` } });
          continue;
        }
        const problem = await deps.profiles.argsProblem(device, name, args ?? {});
        if (problem !== undefined) {
          results.push({ deviceId, status: 400, error: argsInvalid(name, problem).toBody().error });
          continue;
        }
        try {
          const outcome = await commands.submit({ deviceId, name, args: args ?? {}, ttlMs, timeoutMs, idempotencyKey, actor });
          results.push({ deviceId, status: outcome.created ? 201 : 200, command: commandView(outcome.command, undefined, senders) });
        } catch (error) {
          const apiError = apiErrorOf(error);
          if (!(apiError instanceof ApiError)) throw error;
          results.push({ deviceId, status: apiError.statusCode, error: apiError.toBody().error });
        }
      }
      request.auditDetails = { name, args: deps.secrets.redact(args ?? {}), devices: targets.length };
      return { results };
    },
  );
}

async function selectDevices(deps: HttpApiDeps, selector: Selector): Promise<string[]> {
  const { items } = await deps.devices.list({
    limit: deps.config.api.maxPageSize,
    offset: 0,
    sort: "id",
    order: "asc",
    revoked: false,
    model: selector.model,
    firmware: selector.firmware,
  });
  const labels = Object.entries(selector.labels ?? {});
  const attributes = Object.entries(selector.attributes ?? {});
  return items
    .filter((device) => labels.every(([key, value]) => device.labels[key] === value))
    .filter((device) => attributes.every(([key, value]) => device.attributes[key] === value))
    .map((device) => device.id);
}
