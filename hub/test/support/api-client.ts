import type { Hub } from "../../src/app.js";

/** The admin key the command tests start their hubs with. */
export const TEST_ADMIN_KEY = `thk_${"ab".repeat(8)}_${"test-admin-secret-".repeat(3)}`;

/** Call the hub's HTTP API in-process with a key (admin by default); answers status and JSON. */
export async function callApi(
  hub: Hub,
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  url: string,
  body?: unknown,
  key = TEST_ADMIN_KEY,
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the route answers; the routes' schemas type it.
): Promise<{ status: number; body: any }> {
  const response = await hub.http.inject({
    method,
    url,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { "content-type": "application/json" }) },
    ...(body !== undefined && { payload: JSON.stringify(body) }),
  });
  return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined };
}
