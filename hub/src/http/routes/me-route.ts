import type { FastifyInstance } from "fastify";
import { callerOf } from "../authentication.js";
import { errorResponses, routeSchema } from "../shared-schemas.js";

/** `GET /me`: the calling key, which is how the dashboard checks a login. */
export function registerMeRoute(http: FastifyInstance): void {
  http.get(
    "/me",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["session"],
        summary: "The calling API key",
        response: {
          200: {
            type: "object",
            required: ["id", "name", "role"],
            properties: {
              id: { type: "string" },
              name: { type: "string" },
              role: { type: "string", enum: ["viewer", "operator", "admin"] },
            },
          },
          ...errorResponses(),
        },
      }),
    },
    async (request) => {
      const key = callerOf(request);
      return { id: key.id, name: key.name, role: key.role };
    },
  );
}
