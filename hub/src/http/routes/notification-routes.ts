import type { FastifyInstance } from "fastify";
import type { ChannelDefinition, DeliveryStatus } from "../../alarms/notification-channel.js";
import { ChannelInvalidError, ChannelLimitError } from "../../notifications/channel-errors.js";
import { CHANNEL_DEFINITION_SCHEMA } from "../../notifications/channel-schema.js";
import { ChannelVersionConflictError, type DeliveryQuery } from "../../storage/notification-repository.js";
import { ApiError } from "../api-errors.js";
import type { HttpApiDeps } from "../http-api-deps.js";
import { errorResponses, pageOf, routeSchema } from "../shared-schemas.js";
import { alarmActorOf } from "./alarm-actor.js";
import { HUB_ID_PARAMS, HUB_ID_PATTERN, pageQueryProperties } from "./alarm-schemas.js";
import { CHANNEL_REF, DELIVERY_REF } from "./notification-schemas.js";

type IdParams = { id: string };
type UpdateBody = ChannelDefinition & { version?: number };

const CHANNEL_UPDATE_BODY = {
  ...CHANNEL_DEFINITION_SCHEMA,
  properties: {
    ...CHANNEL_DEFINITION_SCHEMA.properties,
    version: {
      type: "integer",
      minimum: 1,
      description: "The version that was edited: a channel changed since is `TH_API_CHANNEL_VERSION_CONFLICT`",
    },
  },
} as const;

/** The service's refusals as API errors. */
function rethrow(error: unknown): never {
  if (error instanceof ChannelInvalidError) {
    throw new ApiError("TH_API_CHANNEL_INVALID", `${error.field}: ${error.message}`, { field: error.field });
  }
  if (error instanceof ChannelLimitError) throw new ApiError("TH_API_CHANNEL_LIMIT", error.message, { maxChannels: error.limit });
  if (error instanceof ChannelVersionConflictError) {
    throw new ApiError("TH_API_CHANNEL_VERSION_CONFLICT", error.message, { current: error.current });
  }
  throw error;
}

function channelNotFound(id: string): never {
  throw new ApiError("TH_API_NOT_FOUND", `no notification channel ${id}`);
}

/** Notification channels (admin writes; secrets write-only), their test message, and the deliveries with every attempt. */
export function registerNotificationRoutes(http: FastifyInstance, deps: HttpApiDeps): void {
  const { api } = deps.config;
  const { notifications } = deps;

  http.get<{ Querystring: { limit: number; offset: number } }>(
    "/notification-channels",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["notifications"],
        summary: "List notification channels",
        description:
          "Sorted by name; paged, the total also in the `X-Total-Count` header. Secret settings are never returned (`secretsSet` names those set).",
        querystring: { type: "object", properties: pageQueryProperties(api) },
        response: { 200: pageOf(CHANNEL_REF), ...errorResponses() },
      }),
    },
    async (request, reply) => {
      const { limit, offset } = request.query;
      const { items, total } = await notifications.listChannels({ limit, offset });
      void reply.header("X-Total-Count", String(total));
      return { data: items, total, limit, offset };
    },
  );

  http.get<{ Params: IdParams }>(
    "/notification-channels/:id",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["notifications"],
        summary: "Get a notification channel",
        params: HUB_ID_PARAMS,
        response: { 200: CHANNEL_REF, ...errorResponses(404) },
      }),
    },
    async (request) => (await notifications.getChannel(request.params.id)) ?? channelNotFound(request.params.id),
  );

  http.post<{ Body: ChannelDefinition }>(
    "/notification-channels",
    {
      config: { access: "admin", audit: "notification-channel.create" },
      schema: routeSchema({
        tags: ["notifications"],
        summary: "Create a notification channel",
        description:
          "E-mail (SMTP), a signed webhook, or a Slack/Mattermost incoming webhook. Settings that do not fit the kind are `TH_API_CHANNEL_INVALID` naming the field; more than `notifications.maxChannels` channels is `TH_API_CHANNEL_LIMIT`. The answer leaves secret settings out.",
        body: CHANNEL_DEFINITION_SCHEMA,
        response: { 201: CHANNEL_REF, ...errorResponses(409) },
      }),
    },
    async (request, reply) => {
      const channel = await notifications.createChannel(request.body, alarmActorOf(request)).catch(rethrow);
      request.auditDetails = { target: channel.id, version: channel.version };
      return reply.code(201).send(channel);
    },
  );

  http.put<{ Params: IdParams; Body: UpdateBody }>(
    "/notification-channels/:id",
    {
      config: { access: "admin", audit: "notification-channel.update" },
      schema: routeSchema({
        tags: ["notifications"],
        summary: "Replace a notification channel",
        description:
          "The whole definition, except that secret settings left out keep their stored value. With `version` (the version that was edited), a channel changed meanwhile is `TH_API_CHANNEL_VERSION_CONFLICT`.",
        params: HUB_ID_PARAMS,
        body: CHANNEL_UPDATE_BODY,
        response: { 200: CHANNEL_REF, ...errorResponses(404, 409) },
      }),
    },
    async (request) => {
      const { version, ...definition } = request.body;
      const channel = await notifications.updateChannel(request.params.id, definition, alarmActorOf(request), version).catch(rethrow);
      if (!channel) return channelNotFound(request.params.id);
      request.auditDetails = { version: channel.version };
      return channel;
    },
  );

  http.delete<{ Params: IdParams }>(
    "/notification-channels/:id",
    {
      config: { access: "admin", audit: "notification-channel.delete" },
      schema: routeSchema({
        tags: ["notifications"],
        summary: "Delete a notification channel",
        description: "Its pending deliveries fail with “channel deleted”; its delivery history stays readable.",
        params: HUB_ID_PARAMS,
        response: { 204: { type: "null", description: "Deleted" }, ...errorResponses(404) },
      }),
    },
    async (request, reply) => {
      if (!(await notifications.deleteChannel(request.params.id, alarmActorOf(request)))) return channelNotFound(request.params.id);
      return reply.code(204).send();
    },
  );

  http.post<{ Params: IdParams }>(
    "/notification-channels/:id/test",
    {
      config: { access: "admin", audit: "notification-channel.test" },
      schema: routeSchema({
        tags: ["notifications"],
        summary: "Send a test notification",
        description:
          "Sends a test message now (not rate limited) and answers the delivery after its first attempt: `attempts[0].ok`, or its `error` (SMTP reply, HTTP status, network error).",
        params: HUB_ID_PARAMS,
        response: { 200: DELIVERY_REF, ...errorResponses(404) },
      }),
    },
    async (request) => {
      const delivery = await notifications.sendTest(request.params.id, alarmActorOf(request));
      if (!delivery) return channelNotFound(request.params.id);
      request.auditDetails = { delivery: delivery.id, status: delivery.status };
      return delivery;
    },
  );

  http.get<{ Querystring: Omit<DeliveryQuery, "status"> & { status?: DeliveryStatus } }>(
    "/notification-deliveries",
    {
      config: { access: "operator" },
      schema: routeSchema({
        tags: ["notifications"],
        summary: "List notification deliveries",
        description: "Newest first, each with every attempt; paged, the total also in the `X-Total-Count` header. Filters combine.",
        querystring: {
          type: "object",
          properties: {
            ...pageQueryProperties(api),
            channelId: { type: "string", pattern: HUB_ID_PATTERN },
            alarmId: { type: "string", pattern: HUB_ID_PATTERN, description: "Deliveries that tell about this alarm (digests included)" },
            status: { type: "string", enum: ["pending", "delivered", "failed"] },
          },
        },
        response: { 200: pageOf(DELIVERY_REF), ...errorResponses() },
      }),
    },
    async (request, reply) => {
      const { items, total } = await notifications.listDeliveries(request.query);
      void reply.header("X-Total-Count", String(total));
      return { data: items, total, limit: request.query.limit, offset: request.query.offset };
    },
  );

  http.get<{ Params: IdParams }>(
    "/notification-deliveries/:id",
    {
      config: { access: "operator" },
      schema: routeSchema({
        tags: ["notifications"],
        summary: "Get a notification delivery",
        params: HUB_ID_PARAMS,
        response: { 200: DELIVERY_REF, ...errorResponses(404) },
      }),
    },
    async (request) => {
      const delivery = await notifications.getDelivery(request.params.id);
      if (!delivery) throw new ApiError("TH_API_NOT_FOUND", `no notification delivery ${request.params.id}`);
      return delivery;
    },
  );
}
