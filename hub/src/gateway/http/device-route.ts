import type { IncomingMessage, ServerResponse } from "node:http";
import { DEVICE_PATH } from "@telehub/device-client/protocol";
import type { FastifyInstance } from "fastify";
import type pino from "pino";
import { writeRefusal } from "./http-refusal.js";

/** What answers HTTP transport requests (the device gateway). */
export interface DeviceRequestHandler {
  handleRequest(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
}

/**
 * Route `POST /v1/device` (the WebSocket's path, docs/protocol.md §10) to the gateway. In a context
 * of its own: the body is left unread for the gateway (which authenticates before it reads, and
 * applies `gateway.http.maxBodyBytes`), whatever its media type, and the response is written raw.
 * A `GET` without `Upgrade` stays unrouted (404 without `X-Telehub-Error`): that is what a proxy that
 * drops the upgrade produces, and clients fall back on it.
 */
export async function registerDeviceRoute(http: FastifyInstance, gateway: DeviceRequestHandler, log: pino.Logger): Promise<void> {
  await http.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", (_request, _payload, done) => done(null, undefined));
    scope.post(DEVICE_PATH, { schema: { hide: true } }, async (request, reply) => {
      reply.hijack();
      const url = new URL(request.url, "http://hub");
      try {
        await gateway.handleRequest(request.raw, reply.raw, url);
      } catch (error) {
        log.error({ err: error }, "device request failed");
        writeRefusal(reply.raw, { code: "TH_INTERNAL", message: "internal error", status: 500 });
      }
    });
  });
}
