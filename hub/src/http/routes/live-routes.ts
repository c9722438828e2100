import type { OutgoingHttpHeaders } from "node:http";
import type { FastifyInstance } from "fastify";
import { liveOwnersOf } from "../../accounts/caller.js";
import { TOPIC_PATTERN } from "../../live/live-update.js";
import { ApiError } from "../api-errors.js";
import { callerOf } from "../authentication.js";
import type { HttpApiDeps } from "../http-api-deps.js";
import { errorResponses, routeSchema } from "../shared-schemas.js";

const KEEPALIVE_MS = 15_000;

/** The live channel as Server-Sent Events, for where WebSockets are blocked. */
export function registerLiveRoutes(http: FastifyInstance, deps: HttpApiDeps): void {
  http.get<{ Querystring: { topics: string } }>(
    "/live",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["live"],
        summary: "Live updates as Server-Sent Events",
        description:
          "The same stream as the WebSocket at `/v1/live`: one `update` event per flush interval with what changed (telemetry coalesced to the newest value per metric). `topics` is a comma-separated list of telemetry:*, telemetry:<device>, commands:*, commands:<device>, presence:*, config:*, config:<device>, alarms:*, alarms:<device>.",
        querystring: { type: "object", required: ["topics"], properties: { topics: { type: "string", minLength: 1 } } },
        response: { 200: { type: "string", description: "text/event-stream" }, ...errorResponses() },
      }),
    },
    async (request, reply) => {
      const topics = request.query.topics.split(",").map((t) => t.trim());
      const bad = topics.find((t) => !TOPIC_PATTERN.test(t));
      if (bad !== undefined) throw new ApiError("TH_API_VALIDATION", `unknown topic ${JSON.stringify(bad)}`);
      const raw = reply.raw;
      let keepalive: NodeJS.Timeout | undefined;
      const subscriber = deps.live.attach(
        {
          bufferedBytes: () => raw.writableLength,
          send: (message) => {
            raw.write(message.sseEvent);
          },
          close: (code) => {
            clearInterval(keepalive);
            // A stalled stream is cut at once; otherwise the last event is flushed, then the connection goes.
            if (raw.writableLength > 0) raw.destroy();
            else raw.end(`event: closed\ndata: ${JSON.stringify({ code })}\n\n`, () => raw.destroy());
          },
        },
        liveOwnersOf(callerOf(request)),
      );
      if (subscriber === "hub-full") throw new ApiError("TH_API_LIVE_FULL", "the hub holds live.maxSubscribers live connections");
      if (subscriber === "caller-full")
        throw new ApiError("TH_API_LIVE_CALLER_FULL", "this caller holds live.maxSubscribersPerCaller live connections; close one");
      subscriber.subscribe(topics);
      reply.hijack();
      // Hijacked: the headers set so far (CORS, security) must be written here.
      raw.writeHead(200, {
        ...(reply.getHeaders() as OutgoingHttpHeaders),
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      raw.write(`event: subscribed\ndata: ${JSON.stringify({ topics })}\n\n`);
      keepalive = setInterval(() => raw.write(": keepalive\n\n"), KEEPALIVE_MS);
      request.raw.on("close", () => {
        clearInterval(keepalive);
        deps.live.detach(subscriber);
      });
    },
  );
}
