import type { OutgoingHttpHeaders } from "node:http";
import type { FastifyInstance } from "fastify";
import { liveOwnersOf } from "../../accounts/caller.js";
import type { LivePollAnswer } from "../../live/live-poll.js";
import { CURSOR_PATTERN, LivePolls } from "../../live/live-polls.js";
import { TOPIC_PATTERN } from "../../live/live-update.js";
import { ApiError } from "../api-errors.js";
import { callerOf } from "../authentication.js";
import type { HttpApiDeps } from "../http-api-deps.js";
import { errorResponses, routeSchema } from "../shared-schemas.js";

const KEEPALIVE_MS = 15_000;

/** The topics of a `topics` query parameter, checked. */
function topicsOf(query: string): string[] {
  const topics = query.split(",").map((t) => t.trim());
  const bad = topics.find((t) => !TOPIC_PATTERN.test(t));
  if (bad !== undefined) throw new ApiError("TH_API_VALIDATION", `unknown topic ${JSON.stringify(bad)}`);
  return topics;
}

/** A long poll's answer as JSON: the `update` messages' texts are spliced in as they are (encoded once for every connection). */
function pollBody(answer: LivePollAnswer): string {
  return (
    `{"cursor":${JSON.stringify(answer.cursor)},"updates":[${answer.updates.join(",")}]` +
    `${answer.resync ? ',"resync":true' : ""}${answer.closed ? `,"closed":${JSON.stringify(answer.closed)}` : ""}}`
  );
}

/**
 * The live channel over plain HTTP, for where WebSockets are blocked: Server-Sent Events, and
 * long polling for where a proxy holds an event stream back (buffers it until it ends).
 */
export function registerLiveRoutes(http: FastifyInstance, deps: HttpApiDeps): void {
  const polls = new LivePolls(deps.live, deps.config.live);
  // Before the server waits for the requests under way: a held poll would keep it open for its wait.
  http.addHook("preClose", (done) => {
    polls.close();
    done();
  });
  registerLivePollRoute(http, polls);
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
      const topics = topicsOf(request.query.topics);
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

/** `GET /api/v1/live/poll`: the live channel as long polls (docs/api.md, "Live channel"). */
function registerLivePollRoute(http: FastifyInstance, polls: LivePolls): void {
  http.get<{ Querystring: { topics: string; cursor?: string; wait?: number } }>(
    "/live/poll",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["live"],
        summary: "Live updates by long polling",
        description:
          "The same `update` messages as the WebSocket and the SSE stream, for where a proxy holds event streams back. Without `cursor` (or with one the hub no longer knows: then `resync` is true) a subscription starts and the answer comes at once with its first cursor. With the cursor of the last answer, the hub answers with the updates after it, or holds the request until one comes or `wait` ms (capped at `live.maxPollWaitMs`) pass. The same cursor again gets the same updates again (an answer that was lost). `topics` as for SSE; each poll's topics replace the subscription's.",
        querystring: {
          type: "object",
          required: ["topics"],
          properties: {
            topics: { type: "string", minLength: 1 },
            cursor: { type: "string", pattern: CURSOR_PATTERN },
            wait: { type: "integer", minimum: 0, maximum: 3_600_000 },
          },
        },
        response: {
          200: {
            type: "object",
            required: ["cursor", "updates"],
            properties: {
              cursor: { type: "string" },
              updates: { type: "array", items: { type: "object", additionalProperties: true } },
              resync: { type: "boolean" },
              closed: { type: "string" },
            },
          },
          ...errorResponses(),
        },
      }),
    },
    async (request, reply) => {
      const topics = topicsOf(request.query.topics);
      await new Promise<void>((resolve) => {
        let answered = false;
        const answer = (poll: LivePollAnswer): void => {
          answered = true;
          // The subscription ended (the hub stops, the key or session ended): the connection goes
          // too, or a closing server would wait for it to idle out (keepAliveTimeout, 72 s).
          if (poll.closed) reply.header("connection", "close");
          // A string is sent as it is: the updates are JSON already.
          reply.header("cache-control", "no-store").type("application/json; charset=utf-8").send(pollBody(poll));
          resolve();
        };
        const abandon = polls.poll(liveOwnersOf(callerOf(request)), topics, request.query.cursor, request.query.wait ?? 0, answer);
        if (abandon === "hub-full") throw new ApiError("TH_API_LIVE_FULL", "the hub holds live.maxSubscribers live connections");
        if (abandon === "caller-full")
          throw new ApiError("TH_API_LIVE_CALLER_FULL", "this caller holds live.maxSubscribersPerCaller live connections; close one");
        if (answered) return;
        reply.raw.on("close", () => {
          if (answered) return;
          abandon();
          resolve();
        });
      });
      return reply;
    },
  );
}
